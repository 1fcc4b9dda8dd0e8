# tap.sh — TAP output for the shell test suites (sourced, POSIX sh).
#
# Automake's tap-driver.sh reads what these print; a suite needs nothing
# else to report.  Sourcing it twice is harmless (the counters are kept).
#
#   . "$SRCDIR/tests/lib/tap.sh"
#   tap_plan 3                        1..3 first, or `tap_plan` at the end
#   some_command; tap_result $? "the command works" "$W/out"
#   tap_ok "DESC"  /  tap_not_ok "DESC" [FILE...]
#
# Test lines
#   tap_ok DESC                       ok N - DESC
#   tap_not_ok DESC [FILE...]         not ok N - DESC, then each non-empty
#                                     FILE as its diagnostics
#   tap_result STATUS DESC [FILE...]  tap_ok when STATUS is 0, else
#                                     tap_not_ok
#   tap_skip DESC REASON              ok N - DESC # SKIP REASON
#   TAP_TODO=REASON                   marks the following test lines
#                                     `# TODO REASON`: known bugs, expected
#                                     to fail (a pass is an XPASS, and the
#                                     mark must go); empty: no mark
#
# Plans and endings
#   tap_plan [N]                      1..N; without N, 1..(the tests so
#                                     far), for a plan printed at the end
#   tap_skip_all REASON               1..0 # SKIP REASON, and exit 0: the
#                                     suite cannot run here (exit 77's job
#                                     under the TAP driver)
#   tap_bail REASON [FILE...]         each non-empty FILE as comments, then
#                                     Bail out! REASON, and exit 1
#
# Comments
#   tap_note TEXT...                  each line of each non-empty TEXT as
#                                     `# TEXT`
#   tap_diag TEXT...                  the same as `#   TEXT`: diagnostics,
#                                     indented under the test line they
#                                     explain
#   tap_diag_file FILE...             each line of each non-empty FILE, as
#                                     tap_diag
#
# Numbers from elsewhere
#   TAP_UNNUMBERED=1                  test lines print as `ok - DESC`,
#                                     uncounted: for background jobs, which
#                                     cannot share the counter
#   tap_relay <FILE                   prints TAP read from stdin, numbering
#                                     its unnumbered test lines (`ok - ...`,
#                                     `not ok - ...`: background jobs,
#                                     Python drivers) in this counter;
#                                     read from a file, not a pipe, so the
#                                     count stays in this shell
#
# TAP_N counts the test lines printed, TAP_FAILED the `not ok` ones.

: "${TAP_N:=0}" "${TAP_FAILED:=0}" "${TAP_TODO:=}" "${TAP_UNNUMBERED:=}"

# _tap_line ok|"not ok" DESC [DIRECTIVE]
_tap_line()
{
    _tap_dir=${3:-}
    [ -z "$_tap_dir" ] && [ -n "$TAP_TODO" ] && _tap_dir="TODO $TAP_TODO"
    if [ "$TAP_UNNUMBERED" = 1 ]; then
        printf '%s - %s%s\n' "$1" "$2" "${_tap_dir:+ # $_tap_dir}"
    else
        TAP_N=$((TAP_N + 1))
        printf '%s %d - %s%s\n' "$1" "$TAP_N" "$2" "${_tap_dir:+ # $_tap_dir}"
    fi
}

tap_ok()
{
    _tap_line ok "$1"
}

tap_not_ok()
{
    TAP_FAILED=$((TAP_FAILED + 1))
    _tap_line "not ok" "$1"
    shift
    tap_diag_file "$@"
    return 0
}

tap_result()
{
    _tap_status=$1
    shift
    if [ "$_tap_status" = 0 ]; then
        tap_ok "$1"
    else
        tap_not_ok "$@"
    fi
}

tap_skip()
{
    _tap_line ok "$1" "SKIP $2"
}

tap_plan()
{
    echo "1..${1:-$TAP_N}"
}

tap_skip_all()
{
    echo "1..0 # SKIP $1"
    exit 0
}

tap_bail()
{
    _tap_why=$1
    shift
    for _tap_f in "$@"; do
        [ -s "$_tap_f" ] && sed -e 's/^/# /' "$_tap_f"
    done
    echo "Bail out! $_tap_why"
    exit 1
}

tap_note()
{
    for _tap_t in "$@"; do
        [ -n "$_tap_t" ] && printf '%s\n' "$_tap_t" | sed -e 's/^/# /'
    done
    return 0
}

tap_diag()
{
    for _tap_t in "$@"; do
        [ -n "$_tap_t" ] && printf '%s\n' "$_tap_t" | sed -e 's/^/#   /'
    done
    return 0
}

tap_diag_file()
{
    for _tap_f in "$@"; do
        [ -s "$_tap_f" ] && sed -e 's/^/#   /' "$_tap_f"
    done
    return 0
}

tap_relay()
{
    while IFS= read -r _tap_l || [ -n "$_tap_l" ]; do
        case $_tap_l in
        'ok - '*|'ok')
            TAP_N=$((TAP_N + 1))
            printf 'ok %d%s\n' "$TAP_N" "${_tap_l#ok}" ;;
        'not ok - '*|'not ok')
            TAP_N=$((TAP_N + 1))
            TAP_FAILED=$((TAP_FAILED + 1))
            printf 'not ok %d%s\n' "$TAP_N" "${_tap_l#not ok}" ;;
        *)
            printf '%s\n' "$_tap_l" ;;
        esac
    done
}
