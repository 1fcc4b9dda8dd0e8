# A migration whose recorded state was edited by hand: the policy kind X
# on line 9 is not P or R.
from django.db import migrations

RLSC_STATE = (
    "rlsc-state\t1\n"
    "table\t\\N\tt\t1\n"
    "policy\tallow_all\tP\tall\t0\ttrue\ttrue\n"
    "policy\tdeny_x\tX\tall\t0\ttrue\t\\N\n"
)
