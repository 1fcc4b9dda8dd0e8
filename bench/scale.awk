# bench/scale.awk — the input of the compile benchmark (scale.sh): n
# models, each with a tenant, three rules and a verbatim policy (5 rules).
#
#   awk -v n=N [-v same=1] -f bench/scale.awk
#
# With same=1 every model has the same rules (the deny's bound and the
# policy's name do not vary), so each model's part of the script is the
# first one's under another name: tests/unit/large.sh checks that.
BEGIN {
    print "app bench;"
    print "context tenant bigint = 'app.tenant_id';"
    print "context user bigint = 'app.user_id';"
    print "role reader; role writer; role ops bypass;"
    for (i = 0; i < n; i++) {
        printf "model M%d {\n  tenant customer_id;\n", i
        print "  allow select to reader using (owner_id = $user or shared);"
        print "  allow insert, update to writer check (status in ('a', 'b'));"
        printf "  deny delete using (locked and amount > %d);\n", same ? 0 : i
        printf "  policy p%s as restrictive for select using (not hidden);\n}\n", same ? "" : i
    }
}
