# embed.awk — turns a SQL file into a C string constant named `name`.
BEGIN { printf "const char %s[] =\n", name }
{
    gsub(/\\/, "\\\\"); gsub(/"/, "\\\"")
    printf "    \"%s\\n\"\n", $0
}
END { print "    \"\";" }
