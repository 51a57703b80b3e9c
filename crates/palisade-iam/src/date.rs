//! Date/time parsing for the `Date*` condition operators.
//!
//! AWS accepts "one of the W3C implementations of the ISO 8601 date formats or
//! epoch (UNIX) time" ([Date condition operators][doc]). This module parses those
//! into nanoseconds since the Unix epoch so that values written in different
//! formats (for example `2020-01-01T00:00:00Z` and `1577836800`) compare equal.
//! It is hand-written to keep the crate free of a date library.
//!
//! Accepted forms:
//! * epoch seconds, optionally negative and/or fractional: `1577836800`, `1577836800.5`
//! * `YYYY-MM`, `YYYY-MM-DD`
//! * `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z`, `±hh:mm`, `±hhmm` or
//!   `±hh` (a missing zone designator is read as UTC)
//! * the ISO 8601 basic form `YYYYMMDDThhmmss[Z|±hhmm]`
//!
//! A bare four-digit year is read as epoch seconds, because an all-digit value
//! is what epoch time looks like.
//!
//! [doc]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date

const NANOS: i128 = 1_000_000_000;

/// Parses an ISO 8601 (W3C profile) date/time or epoch seconds into
/// nanoseconds since 1970-01-01T00:00:00Z. Returns `None` for anything else.
///
/// ```
/// use palisade_iam::parse_date;
/// assert_eq!(parse_date("1970-01-01T00:00:01Z"), Some(1_000_000_000));
/// assert_eq!(parse_date("2020-01-01T00:00:00Z"), parse_date("1577836800"));
/// assert_eq!(parse_date("2020-01-01T01:00:00+01:00"), parse_date("2020-01-01"));
/// assert_eq!(parse_date("yesterday"), None);
/// ```
pub fn parse_date(input: &str) -> Option<i128> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(epoch) = parse_epoch(s) {
        return Some(epoch);
    }
    parse_iso(s)
}

fn parse_epoch(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int_part.is_empty() || int_part.len() > 15 || !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i128 = int_part.parse().ok()?;
    let frac = match frac_part {
        Some(f) => parse_fraction(f)?,
        None => 0,
    };
    let total = secs * NANOS + frac;
    Some(if neg { -total } else { total })
}

/// Parses the digits after a decimal point into nanoseconds (extra digits are truncated).
fn parse_fraction(f: &str) -> Option<i128> {
    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nanos: i128 = 0;
    for (i, b) in f.bytes().enumerate() {
        if i >= 9 {
            break;
        }
        nanos += i128::from(b - b'0') * 10i128.pow(8 - i as u32);
    }
    Some(nanos)
}

fn digits(s: &str, n: usize) -> Option<i64> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_iso(s: &str) -> Option<i128> {
    let (date_part, time_part) = match s.find(['T', 't']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (y, m, d, basic) = parse_ymd(date_part)?;
    if time_part.is_none() && basic {
        // `YYYYMMDD` alone is indistinguishable from epoch seconds and was handled there.
        return None;
    }
    let days = days_from_civil(y, m, d);
    let mut nanos = i128::from(days) * 86_400 * NANOS;
    if let Some(t) = time_part {
        nanos += parse_time(t, basic)?;
    }
    Some(nanos)
}

/// Returns (year, month, day, is_basic_format).
fn parse_ymd(s: &str) -> Option<(i64, i64, i64, bool)> {
    let (y, m, d, basic) = if s.contains('-') {
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y, m] => (digits(y, 4)?, digits(m, 2)?, 1, false),
            [y, m, d] => (digits(y, 4)?, digits(m, 2)?, digits(d, 2)?, false),
            _ => return None,
        }
    } else {
        if s.len() != 8 {
            return None;
        }
        (
            digits(s.get(0..4)?, 4)?,
            digits(s.get(4..6)?, 2)?,
            digits(s.get(6..8)?, 2)?,
            true,
        )
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d, basic))
}

/// Parses `hh:mm[:ss[.f]]TZD` (or the basic `hhmmss[TZD]`) into nanoseconds after
/// midnight UTC, applying the zone offset.
fn parse_time(t: &str, basic: bool) -> Option<i128> {
    // Split off the zone designator.
    let (clock, offset_secs) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (c, zone) = t.split_at(i);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let z = &zone[1..];
        let (zh, zm) = match z.len() {
            2 => (digits(z, 2)?, 0),
            4 if !z.contains(':') => (digits(&z[0..2], 2)?, digits(&z[2..4], 2)?),
            5 => {
                let (h, mm) = z.split_once(':')?;
                (digits(h, 2)?, digits(mm, 2)?)
            }
            _ => return None,
        };
        if zh > 23 || zm > 59 {
            return None;
        }
        (c, sign * (zh * 3600 + zm * 60))
    } else {
        (t, 0)
    };

    let (hms, frac) = match clock.split_once(['.', ',']) {
        Some((a, f)) => (a, parse_fraction(f)?),
        None => (clock, 0),
    };
    let (h, mi, sec, has_seconds) = if basic && !hms.contains(':') {
        match hms.len() {
            4 => (digits(&hms[0..2], 2)?, digits(&hms[2..4], 2)?, 0, false),
            6 => (
                digits(&hms[0..2], 2)?,
                digits(&hms[2..4], 2)?,
                digits(&hms[4..6], 2)?,
                true,
            ),
            _ => return None,
        }
    } else {
        let parts: Vec<&str> = hms.split(':').collect();
        match parts.as_slice() {
            [h, m] => (digits(h, 2)?, digits(m, 2)?, 0, false),
            [h, m, s] => (digits(h, 2)?, digits(m, 2)?, digits(s, 2)?, true),
            _ => return None,
        }
    };
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    if clock.contains(['.', ',']) && !has_seconds {
        // A fraction needs seconds to hang off (`hh:mm.5` is not W3C).
        return None;
    }
    let secs = h * 3600 + mi * 60 + sec - offset_secs;
    Some(i128::from(secs) * NANOS + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<i128> {
        parse_date(s).map(|n| n / NANOS)
    }

    #[test]
    fn epoch_forms() {
        assert_eq!(secs("0"), Some(0));
        assert_eq!(secs("1577836800"), Some(1_577_836_800));
        assert_eq!(parse_date("1.5"), Some(1_500_000_000));
        assert_eq!(parse_date("-1"), Some(-NANOS));
        assert_eq!(parse_date(" 42 "), Some(42 * NANOS));
        assert_eq!(parse_date("1."), None);
        assert_eq!(parse_date("1e9"), None);
        assert_eq!(parse_date("99999999999999999999999"), None);
    }

    #[test]
    fn iso_forms() {
        assert_eq!(secs("1970-01-01"), Some(0));
        assert_eq!(secs("2020-01-01"), Some(1_577_836_800));
        assert_eq!(secs("2020-01"), Some(1_577_836_800));
        assert_eq!(secs("2020-01-01T00:00:00Z"), Some(1_577_836_800));
        assert_eq!(secs("2020-01-01T00:00Z"), Some(1_577_836_800));
        assert_eq!(secs("2020-01-01T00:00:00"), Some(1_577_836_800));
        assert_eq!(
            parse_date("2020-01-01T00:00:00.250Z"),
            Some(1_577_836_800 * NANOS + 250_000_000)
        );
        assert_eq!(secs("2020-01-01T01:00:00+01:00"), Some(1_577_836_800));
        assert_eq!(secs("2019-12-31T19:00:00-05:00"), Some(1_577_836_800));
        assert_eq!(secs("2019-12-31T19:00:00-0500"), Some(1_577_836_800));
        assert_eq!(secs("2019-12-31T19:00:00-05"), Some(1_577_836_800));
        assert_eq!(secs("20200101T000000Z"), Some(1_577_836_800));
        assert_eq!(secs("20130930T231548Z"), Some(1_380_582_948));
        assert_eq!(secs("2000-02-29T12:00:00Z"), Some(951_825_600));
        assert_eq!(secs("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn invalid_dates() {
        for bad in [
            "",
            "2020-13-01",
            "2020-00-10",
            "2021-02-29",
            "2020-01-32",
            "2020-01-01T24:00:00Z",
            "2020-01-01T10:60:00Z",
            "2020-01-01T10:00:61Z",
            "2020-01-01T10:00:00+25:00",
            "2020-01-01T10Z",
            "2020/01/01",
            "20-01-01",
            "2020-1-1",
            "2020-01-01T",
            "2020-01-01Tab:cd",
            "now",
            "2020-01-01T00:00:00.Z",
            "${aws:CurrentTime}",
        ] {
            assert_eq!(parse_date(bad), None, "{bad} should not parse");
        }
    }
}
