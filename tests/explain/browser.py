"""tests/explain/browser.py — the html page of `rlsc explain` in a real browser.

    python3 browser.py CHROMEDRIVER_URL PAGE.html CELLS CONDITION.txt [HEADING]

Drives chromedriver's W3C WebDriver HTTP API with urllib only (headless
Chromium): opens file://PAGE.html and checks that the matrices have CELLS
<td> cells, that none/some/all cells have three different computed
background colours, that no JavaScript ran (the page has none), and that a
"some" cell's condition is hidden until its summary is clicked, then shows
exactly CONDITION.txt's text; with HEADING, that the first table's heading
reads exactly HEADING (a name shown as text, not parsed as markup).  Prints TAP test lines without numbers.
"""
import json
import os
import sys
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver's element key


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read().decode())["value"]


def check(ok, desc, why=""):
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok and why:
        print("#   " + str(why).replace("\n", "\n#   "))


def main():
    base, page, cells, cond_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    want = open(cond_file, encoding="utf-8").read().strip()
    args = ["--headless=new", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium's sandbox refuses root
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                             "goog:chromeOptions": {"args": args}}}}
    sid = call(base, "POST", "/session", caps)["sessionId"]
    s = "/session/" + sid
    try:
        call(base, "POST", s + "/url", {"url": "file://" + os.path.abspath(page)})
        title = call(base, "GET", s + "/title")
        check("rlsc explain" in title, "the page loads (title: %s)" % title)

        def find_all(css, root=None):
            path = s + ("/element/%s/elements" % root if root else "/elements")
            return [e[ELEMENT] for e in call(base, "POST", path,
                                             {"using": "css selector", "value": css})]

        tds = find_all("table.matrix td")
        check(len(tds) == cells, "the matrices have %d cells (%d)" % (cells, len(tds)))

        colours = {}
        for cls in ("none", "some", "all"):
            found = find_all("table.matrix td." + cls)
            if found:
                colours[cls] = call(base, "GET", s + "/element/%s/css/background-color" % found[0])
        check(len(colours) == 3 and len(set(colours.values())) == 3,
              "none, some and all cells have three different colours", colours)
        plain = call(base, "GET", s + "/element/%s/css/background-color" % find_all("table.matrix th")[0])
        check(plain not in colours.values(), "headings differ from every cell colour",
              (plain, colours))

        some = find_all("table.matrix td.some")
        check(bool(some), "the page has a 'some' cell")
        if some:
            cell = some[0]
            pre = find_all("pre.cond", cell)[0]
            before = call(base, "GET", s + "/element/%s/displayed" % pre)
            check(before is False, "its condition is hidden before the click")
            summary = find_all("summary", cell)[0]
            call(base, "POST", s + "/element/%s/click" % summary, {})
            after = call(base, "GET", s + "/element/%s/displayed" % pre)
            text = call(base, "GET", s + "/element/%s/text" % pre).strip()
            check(after is True and text == want,
                  "clicking its summary shows the condition", "shown: %s\nwant: %s" % (text, want))
        if len(sys.argv) > 5:
            h2 = call(base, "GET", s + "/element/%s/text" % find_all("h2")[0])
            check(h2 == sys.argv[5], "the first heading reads %r" % sys.argv[5], h2)
        scripts = call(base, "POST", s + "/execute/sync",
                       {"script": "return document.scripts.length", "args": []})
        check(scripts == 0, "the page has no script (%s)" % scripts)
    finally:
        call(base, "DELETE", s)


main()
