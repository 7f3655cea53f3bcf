"""Rules that the OpenAPI schema states as patterns and the server checks as written, so that both read them
alike: patterns spell whitespace out (`\\s` differs between Python's re and ECMA-262/Rust regexes: \\x1c-\\x1f)."""
import re

# What str.isspace() calls whitespace (what str.strip() and DRF's trim_whitespace take off).
PY_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# ... and what ECMA-262's \s calls whitespace too.
SPACE = PY_SPACE + r"\ufeff"
# A DRF CharField's value that is not blank once trimmed, and has no NUL.
TRIMMED_NONBLANK_PATTERN = rf"^[^\x00]*[^{PY_SPACE}\x00][^\x00]*$"
# Text with something visible in it and no NUL (PostgreSQL text can't hold NUL).
VISIBLE_PATTERN = rf"^[^\x00]*[^{SPACE}\x00][^\x00]*$"
# Two or more characters once outer whitespace is trimmed, no NUL.
TWO_VISIBLE_PATTERN = rf"^[^\x00]*[^{SPACE}\x00][^\x00]*[^{SPACE}\x00][^\x00]*$"

# ?near=lat,lon in decimal degrees: NEAR_PATTERN says the format and the range (-90..90, -180..180) at once.
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_NEAR_FORMAT = rf"^ *({_NUMBER}) *, *({_NUMBER}) *$"
_LAT = r"-?0*(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LON = r"-?0*(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
NEAR_PATTERN = rf"^ *{_LAT} *, *{_LON} *$"


def matches(pattern, value):
    return value is not None and re.search(pattern, value) is not None


def near(value):
    """(lat, lon) of a ?near= value; ValueError("format") or ValueError("range") when NEAR_PATTERN refuses it."""
    match = re.fullmatch(_NEAR_FORMAT, value or "")
    if match is None:
        raise ValueError("format")
    lat, lon = float(match[1]), float(match[2])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("range")
    return lat, lon
