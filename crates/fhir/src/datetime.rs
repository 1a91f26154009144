//! FHIR `date` / `dateTime` / `instant` strings as comparable instants.
//!
//! Only what ordering needs: a partial date (`2024`, `2024-03`) is taken as its
//! first moment, a time zone offset is applied, fractions of a second are
//! ignored. Calendar validity comes from the `time` crate, so `2024-02-31` or
//! `2023-02-29` is not a date. No clock is read.

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// The calendar date of a FHIR `date` (`YYYY-MM-DD`, or the date part of a dateTime).
pub(crate) fn date(s: &str) -> Option<Date> {
    let d = s.trim().split('T').next()?;
    let mut parts = d.split('-');
    let year = num(parts.next()?, 4)? as i32;
    let month = num(parts.next()?, 2)? as u8;
    let day = num(parts.next()?, 2)? as u8;
    if parts.next().is_some() {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Whole years from a birth date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) to `today`,
/// and whether the birth date was partial (then the age may be a year too high).
pub(crate) fn age_on(birth: &str, today: Date) -> Option<(i32, bool)> {
    let b = birth.trim();
    let mut parts = b.split('-');
    let year = num(parts.next()?, 4)? as i32;
    let month = parts.next().map(|m| num(m, 2)).unwrap_or(Some(1))? as u8;
    let day = parts.next().map(|d| num(d, 2)).unwrap_or(Some(1))? as u8;
    let partial = b.len() < 10;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let mut age = today.year() - year;
    if (u8::from(today.month()), today.day()) < (month, day) {
        age -= 1;
    }
    Some((age, partial))
}

/// Seconds since 1970-01-01T00:00:00Z, or `None` if `s` is not a valid FHIR date/dateTime.
pub fn epoch_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year = num(parts.next()?, 4)? as i32;
    let month = match parts.next() {
        Some(m) => num(m, 2)? as u8,
        None => 1,
    };
    let day = match parts.next() {
        Some(d) => num(d, 2)? as u8,
        None => 1,
    };
    if parts.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let (clock, offset) = match time {
        None => (Time::MIDNIGHT, UtcOffset::UTC),
        Some(t) => {
            let (clock, offset) = split_offset(t)?;
            let mut hms = clock.split(':');
            let h = num(hms.next()?, 2)? as u8;
            let m = num(hms.next()?, 2)? as u8;
            let sec = match hms.next() {
                Some(x) => num(x.split('.').next()?, 2)? as u8,
                None => 0,
            };
            if hms.next().is_some() {
                return None;
            }
            // FHIR allows 24:00:00 as the end of a day.
            if (h, m, sec) == (24, 0, 0) {
                let next = date.next_day()?;
                return Some(PrimitiveDateTime::new(next, Time::MIDNIGHT).assume_offset(offset).unix_timestamp());
            }
            // A leap second is read as the last second of the minute.
            (Time::from_hms(h, m, sec.min(59)).ok()?, offset)
        }
    };
    Some(PrimitiveDateTime::new(date, clock).assume_offset(offset).unix_timestamp())
}

fn num(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits `10:00:00+01:00` into the clock and the offset.
fn split_offset(t: &str) -> Option<(&str, UtcOffset)> {
    if let Some(c) = t.strip_suffix('Z') {
        return Some((c, UtcOffset::UTC));
    }
    if let Some(i) = t.rfind(['+', '-']) {
        let (clock, off) = t.split_at(i);
        let sign: i8 = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':')?;
        let (h, m) = (num(h, 2)? as i8, num(m, 2)? as i8);
        return Some((clock, UtcOffset::from_hms(sign * h, sign * m, 0).ok()?));
    }
    Some((t, UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partial_and_full_dates() {
        assert_eq!(epoch_seconds("1970-01-01"), Some(0));
        assert_eq!(epoch_seconds("1970"), Some(0));
        assert_eq!(epoch_seconds("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(epoch_seconds("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(epoch_seconds("2024-02-29T12:30:15.123-05:00"), Some(1_709_227_815));
        assert_eq!(epoch_seconds("1970-01-01T24:00:00Z"), Some(86_400));
        assert!(epoch_seconds("2024-03") < epoch_seconds("2024-03-02"));
        assert_eq!(epoch_seconds("yesterday"), None);
        assert_eq!(epoch_seconds("2024-13-01"), None);
    }

    #[test]
    fn impossible_calendar_dates_are_not_dates() {
        // See: issue #12 (2024-02-31 was accepted).
        assert_eq!(epoch_seconds("2024-02-31"), None);
        assert_eq!(epoch_seconds("2023-02-29"), None);
        assert_eq!(epoch_seconds("2024-04-31T10:00:00Z"), None);
        assert_eq!(epoch_seconds("2024-01-01T25:00:00Z"), None);
        assert_eq!(epoch_seconds("2024-01-01T10:61:00Z"), None);
        assert!(epoch_seconds("2024-02-29").is_some());
    }
}
