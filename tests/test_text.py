from hypothesis import given
from hypothesis import strategies as st

from cascade.text import (
    SHARE_BUTTONS,
    credited_chain,
    mentions,
    normalise,
    other_credit,
    reply_to,
    same_text,
)


def test_retweet_prefix_variants():
    assert credited_chain("RT @byron_c_wallace: Attention") == (("byron_c_wallace",), "Attention")
    assert credited_chain("RT@a: x") == (("a",), "x")
    assert credited_chain("rt   @A x") == (("A",), "x")
    assert credited_chain("  Rt @a:x") == (("a",), "x")
    assert credited_chain("MT @a: shortened") == (("a",), "shortened")


def test_manual_chain_nearest_hop_first():
    assert credited_chain("RT @a: RT @b: RT@c text") == (("a", "b", "c"), "text")


def test_via_credits_last_hop():
    assert credited_chain("Great paper https://t.co/x via @nature") == (
        ("nature",),
        "Great paper https://t.co/x",
    )
    assert credited_chain("RT @a: paper via @b") == (("a", "b"), "paper")


def test_share_button_via_credits_nobody_and_no_self_hop():
    assert credited_chain("A paper http://t.co/x via @Instapaper") == ((), "A paper http://t.co/x")
    assert credited_chain("RT @a: A paper via @AddThis") == (("a",), "A paper")
    assert credited_chain("RT @x: A paper via @X") == (("x",), "A paper")
    assert credited_chain("RT @x: RT @X: A paper") == (("x",), "A paper")
    # Only consecutive repeats fold: a -> b -> a is three hops.
    assert credited_chain("RT @a: RT @b: A paper via @a") == (("a", "b", "a"), "A paper")
    assert {"instapaper", "addthis", "sharethis", "pocket", "feedly", "po_st", "youtube"} <= (
        SHARE_BUTTONS
    )


def test_credits_after_a_comment():
    assert other_credit("F yeah! RT @Max_Fisher: Science: swearing") == (
        "mid_text",
        "Max_Fisher",
        "Science: swearing",
    )
    assert other_credit("Have fun with that. MT @kateo http://t.co/T1") == (
        "mid_text",
        "kateo",
        "http://t.co/T1",
    )
    assert other_credit("Improvise http://t.co/Z HT @anniemurphypaul") == (
        "hat_tip",
        "anniemurphypaul",
        "Improvise http://t.co/Z",
    )
    assert other_credit("h/t @a: nice") == ("hat_tip", "a", "")
    assert other_credit("Jazz (via @TIMEIdeas) #x")[:2] == ("via", "TIMEIdeas")
    assert other_credit("Jazz /via @b")[:2] == ("via", "b")
    assert other_credit("Jazz via @elmundoes, more") == ("via", "elmundoes", "Jazz")
    assert other_credit("Jazz (via @Pocket) #longreads") is None
    # Not credits: a word ending in rt/via, an address, nothing after the @.
    assert other_credit("Start @a: x") is None
    assert other_credit("Trivia @a: x") is None
    assert other_credit("RT @ only") is None
    assert other_credit("plain text") is None


def test_not_retweets():
    assert credited_chain("ART @a: x") == ((), "ART @a: x")
    assert credited_chain("RTs are not endorsements") == ((), "RTs are not endorsements")
    assert credited_chain("") == ((), "")


def test_reply_and_mentions():
    assert reply_to("@momoaiaiai これっすね") == "momoaiaiai"
    assert reply_to("see @a") is None
    text = "by @ytay017 (@YTay017 again) https://twitter.com/@nope mail x@host.org .@ok"
    assert mentions(text) == ("ytay017", "ok")


def test_normalise_and_truncation():
    assert normalise("  A\n b\u2026") == ("a b", True)
    assert same_text(normalise("Attention is not expl\u2026"), normalise("Attention is  not Expl"))
    assert same_text(normalise("abc def"), normalise("abc\u2026"))
    assert not same_text(normalise("abc"), normalise("abd"))
    # Without a truncation mark, a prefix is a different text.
    assert not same_text(normalise("abc"), normalise("abc def"))


handles = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)
bodies = st.text(min_size=1, max_size=60).filter(
    lambda s: s == s.strip() and not credited_chain(s)[0] and "@" not in s
)


@given(st.lists(handles, min_size=1, max_size=6, unique_by=str.lower), bodies)
def test_chain_round_trip(chain, body):
    text = "".join(f"RT @{h}: " for h in chain) + body
    assert credited_chain(text) == (tuple(chain), body)
