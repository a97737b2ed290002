"""The words a store's error message is shown in: those of S3's documented messages, and of the prose around them.

A word of a server's text is shown if it is one of these, or a long plain word; anything else may be a piece of a
value the server chose to spread over words, and is not shown (:mod:`s3_presigned.s3.shape`).
"""

from __future__ import annotations

from typing import Final

LONG_WORD: Final = 6  # a plain word of this many letters or more is shown even if it is not below
# Words of up to five letters, and letters alone: any other short word may be a piece of a value.
WORDS: Final = frozenset(
    """
    a about above access account acl after again against age ago all allow also alias an and any api are arn as
    ask at auth aws bad be been before being below best big bit body both box bucket but by bytes call can case
    check class code comes cors could data date day days deny did do does done down due each east empty end ends
    entry error even every exist extra fail false few field file files find first for form found from full get
    given go got grant had has have he head her here his host hour hours how http https i id ids if in info into
    is it its just key keys kind kms large last late least left legal less let level like limit line list load
    local lock long made make many match max may md5 might min minor more most much must my name named names need
    new next no non none nor north not now null of off old on once one only open or order other our out over own
    page pair part parts pass path pay per plain play point post put rate read real ready reason rest retry right
    role root rule rules run same say says see seek self send sent server set sha shape short should side sign
    since size sizes slow so some sort south space speed ssl sse start state still stop store sts such sure take
    tag tags tell test text than that the their them then there these they thing this those time times tls to
    token too top total true try two type types under until up upon url us use used user using valid value very
    via want was way we week well were west what when where which while who why will with within word work would
    write wrong xml year yes yet you your zero zone
    ok moved hold pre query amz app eu ap sa ca me af il cn gov s3 v2 v4 sha256 ipv4 ipv6 txt zip tgz gz tar pdf
    png jpg csv json html bin log
    range route block cache close copy count cross delay enter exact fetch final fixed front group guard hash
    image index input issue items keep known layer links login lower mime mode model multi never note often owner
    parse payer plan port proof proxy quota quote raise reach refer reply reset scope share shown signs slash split
    stale stat steps style table tier tried trust twice unit upper usage users watch whole works ever own sign
    said told gave took fine web
    b c d e f g h j k l m n o p q r s t u v w x y z
    """.split()  # noqa: SIM905  # a list of words reads best as one
)
