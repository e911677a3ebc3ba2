"""Golden ratios of Python's difflib.SequenceMatcher(None, a, b).ratio() for SequenceRatioTest.

Pairs: short option/reply strings, Chinese, empty strings, and long replies (200+ characters, where difflib's
autojunk rule drops popular characters) built from a seeded generator. Run from the repository root:

    python3 tools/publicbench/difflib_ratios.py
"""
import difflib
import json
import random

OUT = "java/src/test/resources/evaluate/publicbench/difflib_ratios.json"


def main():
    rnd = random.Random(2026)
    pairs = [
        ("radial nerve", "the radial nerve"), ("vitamin c", "vitain c"), ("nitrofurantoin", "i would give nitrofuantoin"),
        ("", ""), ("", "abc"), ("abc", ""), ("yes", "no"), ("maybe", "the evidence is not conclusive, so maybe."),
        ("肝脏", "图中有肝脏"), ("12-20 breaths per minute", "12-20 breath per minute"), ("abcd", "dcba"),
        ("the cat sat", "the cat sat"), ("aaaa", "aaab"), ("😀 smile", "smile 😀"),
    ]
    words = ["nerve", "artery", "the", "a", "of", "vitamin", "acute", "chronic", "left", "right", "lesion", "is", "and"]
    for n in (30, 120, 210, 400, 900):
        for _ in range(3):
            a = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 4)))
            b = " ".join(rnd.choice(words) for _ in range(n // 5))[:n]
            pairs.append((a, b))
            pairs.append((b, a))
    pairs.append(("x" * 5 + "abc", "abc" + "e" * 250 + "xxxxx"))  # 'e' popular in b: autojunk
    out = [{"a": a, "b": b, "ratio": difflib.SequenceMatcher(None, a, b).ratio()} for a, b in pairs]
    json.dump({"python": "difflib.SequenceMatcher(None, a, b).ratio()", "pairs": out}, open(OUT, "w"), ensure_ascii=False, indent=1)
    print(len(out), "pairs ->", OUT)


if __name__ == "__main__":
    main()
