//! FHIR `date` / `dateTime` / `instant` strings as comparable instants.
//!
//! Only what ordering needs: a partial date (`2024`, `2024-03`) is taken as its
//! first moment, a time zone offset is applied, fractions of a second are
//! ignored. No clock is read.

/// Seconds since 1970-01-01T00:00:00Z, or `None` if `s` is not a FHIR date/dateTime.
pub fn epoch_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year: i64 = num(parts.next()?, 4)?;
    let month: i64 = match parts.next() {
        Some(m) => num(m, 2)?,
        None => 1,
    };
    let day: i64 = match parts.next() {
        Some(d) => num(d, 2)?,
        None => 1,
    };
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let mut hms = clock.split(':');
        let h: i64 = num(hms.next()?, 2)?;
        let m: i64 = num(hms.next()?, 2)?;
        let sec: i64 = match hms.next() {
            Some(x) => num(x.split('.').next()?, 2)?,
            None => 0,
        };
        if h > 24 || m > 59 || sec > 60 {
            return None;
        }
        secs += h * 3600 + m * 60 + sec - offset;
    }
    Some(secs)
}

fn num(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits `10:00:00+01:00` into the clock and the offset in seconds.
fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(c) = t.strip_suffix('Z') {
        return Some((c, 0));
    }
    if let Some(i) = t.rfind(['+', '-']) {
        let (clock, off) = t.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':')?;
        return Some((clock, sign * (num(h, 2)? * 3600 + num(m, 2)? * 60)));
    }
    Some((t, 0))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
        assert!(epoch_seconds("2024-03") < epoch_seconds("2024-03-02"));
        assert_eq!(epoch_seconds("yesterday"), None);
        assert_eq!(epoch_seconds("2024-13-01"), None);
    }
}
