"""plancheck.py — one assertion on a plan of EXPLAIN (FORMAT JSON, VERBOSE).

    python3 plancheck.py PLAN.json ASSERTION ARGS...

Exit status 0: the assertion holds; 1: it does not (why, then the plan as
an indented tree, on stdout); 2: bad usage or a file that is not such a
plan.  tests/pg/explain.sh runs it on the plans of compiled policies, and on
deliberately bad policies to prove each assertion can fail.

Written against PostgreSQL 15's plans (`InitPlan 1 (returns $0)`,
parameters `$n`); PostgreSQL 17's spelling (`InitPlan 1`, parameters
`(InitPlan 1).col1`) is recognised too, but untested here.  "Expressions" are every string a node prints (Filter,
Index Cond, Recheck Cond, Output, ...): VERBOSE makes the InitPlans' own
Output visible, so the context reads can be seen where they are evaluated.
EXPLAIN does not print WITH CHECK options; their InitPlans are visible, as
InitPlans whose parameter no printed expression uses.

Assertions:

  once
      Every `current_setting(` is inside an InitPlan (a node whose Parent
      Relationship is InitPlan, or below one), at least one is, and the
      plan has no SubPlan: no node below a SubPlan, no expression naming
      one (a correlated SubPlan runs per row, a hashed one probes per row).

  pkey INDEX CTX...
      The statement's own scan (outside InitPlans) is an Index Scan using
      INDEX whose Index Cond compares with a constant, and its Filter uses
      InitPlan parameters; those InitPlans read the settings CTX...

  index LINK... CTX
      LINK is INDEX:COND, COND the text of an Index Cond with @P standing
      for an InitPlan's parameter, e.g. 'tenant_id = ANY (@P)'.  The first
      LINK is a scan outside InitPlans (Index Scan, Index Only Scan or
      Bitmap Index Scan) using INDEX with such an Index Cond; each further
      LINK is a scan inside the InitPlan whose parameter the previous one
      used, and its own @P comes from an InitPlan nested in that one; the
      InitPlan of the last @P reads the setting CTX.

  check CTX...
      Some InitPlans produce a parameter no printed expression uses (the
      WITH CHECK options' own InitPlans), and together they read CTX...
"""

import json
import re
import sys

# an InitPlan's parameter as expressions print it
PARAM = r"(\$\d+|\(InitPlan \d+\)\.col\d+)"


def children(node):
    return node.get("Plans", [])


def is_initplan(node):
    return node.get("Parent Relationship") == "InitPlan"


def exprs(node):
    """Every string the node prints, but for its name and relation."""
    skip = {"Node Type", "Parent Relationship", "Subplan Name", "Relation Name",
            "Schema", "Alias", "Index Name", "Operation", "Scan Direction",
            "Strategy", "Partial Mode", "Join Type"}
    out = []
    for k, v in node.items():
        if k in skip or k == "Plans":
            continue
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, str))
    return out


def walk(node, in_init=False, in_sub=False):
    """(node, inside an InitPlan, inside a SubPlan) for the whole tree."""
    in_init = in_init or is_initplan(node)
    in_sub = in_sub or node.get("Parent Relationship") == "SubPlan"
    yield node, in_init, in_sub
    for c in children(node):
        yield from walk(c, in_init, in_sub)


def initplans(root):
    return [n for n, _, _ in walk(root) if is_initplan(n)]


def params_of(ip):
    """The parameters an InitPlan node returns, in both spellings."""
    name = ip.get("Subplan Name", "")
    out = set()
    m = re.match(r"InitPlan (\d+)", name)
    if m:
        out.add("(InitPlan %s)" % m.group(1))
    m = re.search(r"returns (.*)\)", name)
    if m:
        out.update(p.strip() for p in m.group(1).split(","))
    return out


def initplan_of(root, param):
    """The InitPlan in root's tree returning param ($n or (InitPlan k).colm),
    or None."""
    key = re.sub(r"\.col\d+$", "", param)
    for ip in initplans(root):
        if key in params_of(ip):
            return ip
    return None


def reads(node):
    """The settings a subtree reads with current_setting('...')."""
    out = set()
    for n, _, _ in walk(node):
        for e in exprs(n):
            out.update(re.findall(r"current_setting\('([^']*)'", e))
    return out


def own_scans(root):
    """Scans outside InitPlans and SubPlans, the statement's own (a Bitmap
    Index Scan names its index, not its relation)."""
    return [n for n, init, sub in walk(root)
            if not init and not sub and ("Relation Name" in n or "Index Name" in n)
            and n["Node Type"] != "ModifyTable"]


def label(n):
    out = n["Node Type"]
    if "Index Name" in n:
        out += " using " + n["Index Name"]
    if "Relation Name" in n:
        out += " on " + n["Relation Name"]
    return out


def index_scans(nodes, index):
    return [n for n in nodes
            if n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
            and n.get("Index Name") == index]


def show(node, depth=0):
    """The plan as an indented tree, for the diagnostics."""
    head = label(node)
    if "Subplan Name" in node:
        head = node["Subplan Name"] + ": " + head
    lines = ["  " * depth + head]
    for k in ("Index Cond", "Recheck Cond", "Filter", "Output"):
        if k in node:
            v = node[k]
            lines.append("  " * depth + "    %s: %s" % (k, ", ".join(v) if isinstance(v, list) else v))
    for c in children(node):
        lines.extend(show(c, depth + 1))
    return lines


def a_once(root, args):
    if args:
        raise Usage("once takes no arguments")
    bad = []
    inside = 0
    for n, init, sub in walk(root):
        if sub:
            bad.append("a SubPlan: %s (%s)" % (n.get("Subplan Name", "?"), n["Node Type"]))
        for e in exprs(n):
            if "SubPlan" in e:
                bad.append("%s evaluates a SubPlan: %s" % (n["Node Type"], e))
            if "current_setting(" in e:
                if init:
                    inside += 1
                else:
                    bad.append("%s reads a setting outside an InitPlan: %s" % (n["Node Type"], e))
    if not bad and inside == 0:
        bad.append("no InitPlan reads a setting")
    return bad


def a_pkey(root, args):
    if not args:
        raise Usage("pkey INDEX CTX...")
    index, ctx = args[0], set(args[1:])
    scans = own_scans(root)
    hits = [n for n in index_scans(scans, index) if n["Node Type"] == "Index Scan"]
    if not hits:
        return ["the statement's scan is %s, not an Index Scan using %s"
                % (", ".join(label(n) for n in scans) or "nothing", index)]
    n = hits[0]
    bad = []
    if not re.search(r"= \d+\)", n.get("Index Cond", "")):
        bad.append("Index Cond %r compares with no constant" % n.get("Index Cond"))
    flt = n.get("Filter", "")
    used = re.findall(PARAM, flt)
    if not used:
        bad.append("the Filter %r uses no InitPlan parameter" % flt)
    got = set()
    for p in used:
        ip = initplan_of(root, p)
        if ip is None:
            bad.append("%s in the Filter is no InitPlan's parameter" % p)
        else:
            got |= reads(ip)
    if used and not ctx <= got:
        bad.append("the Filter's InitPlans read %s, not %s" % (sorted(got), sorted(ctx)))
    return bad


def a_index(root, args):
    if len(args) < 2 or any(":" not in a for a in args[:-1]):
        raise Usage("index INDEX:COND... CTX")
    links, ctx = args[:-1], args[-1]
    scope = own_scans(root)
    where = "the statement's own scans"
    ip = None
    tree = root           # where the next InitPlan must be: nested below the last
    for link in links:
        index, cond = link.split(":", 1)
        pat = r"(?<![\w])" + re.escape(cond).replace("@P", PARAM)
        scans = index_scans(scope, index)
        if not scans:
            return ["%s (%s) use no index scan on %s"
                    % (where, ", ".join(label(n) for n in scope
                                        if "Relation Name" in n or "Index Name" in n) or "none",
                       index)]
        m = None
        for n in scans:
            m = re.search(pat, n.get("Index Cond", ""))
            if m:
                break
        if m is None:
            return ["the Index Cond on %s is %r, not %r with an InitPlan's parameter"
                    % (index, scans[0].get("Index Cond"), cond)]
        ip = initplan_of(tree, m.group(1))
        if ip is None:
            return ["%s in the Index Cond on %s is no parameter of an InitPlan %s"
                    % (m.group(1), index, "of the plan" if tree is root else
                       "nested in " + tree.get("Subplan Name", "?"))]
        tree = ip
        scope = [n for n, _, _ in walk(ip)]
        where = "the scans of %s" % ip.get("Subplan Name")
    if ctx not in reads(ip):
        return ["%s reads %s, not %s" % (ip.get("Subplan Name"), sorted(reads(ip)) or "no setting", ctx)]
    return []


def a_check(root, args):
    if not args:
        raise Usage("check CTX...")
    used = set()
    for n, _, _ in walk(root):
        for e in exprs(n):
            used.update(re.sub(r"\.col\d+$", "", p) for p in re.findall(PARAM, e))
    unused = [ip for ip in initplans(root) if not (params_of(ip) & used)]
    if not unused:
        return ["no InitPlan outside the printed expressions (none for WITH CHECK)"]
    got = set()
    for ip in unused:
        got |= reads(ip)
    if not set(args) <= got:
        return ["the unprinted InitPlans (%s) read %s, not %s"
                % (", ".join(ip.get("Subplan Name") for ip in unused), sorted(got) or "no setting",
                   sorted(args))]
    return []


class Usage(Exception):
    pass


ASSERTIONS = {"once": a_once, "pkey": a_pkey, "index": a_index, "check": a_check}


def main(argv):
    if len(argv) < 3 or argv[2] not in ASSERTIONS:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            root = json.load(f)[0]["Plan"]
        bad = ASSERTIONS[argv[2]](root, argv[3:])
    except Usage as e:
        print("usage: plancheck.py PLAN.json " + str(e), file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        print("plancheck.py: %s: not a plan of EXPLAIN (FORMAT JSON): %s" % (argv[1], e),
              file=sys.stderr)
        return 2
    if bad:
        print("\n".join(bad))
        print("plan:")
        print("\n".join("  " + line for line in show(root)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
