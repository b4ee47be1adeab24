//! Amounts with units (`5 GiB`, `2`), comparisons on them (`>= 2 GiB`), and
//! durations (`500ms`, `10s`).

use std::fmt;
use std::time::Duration;

/// What an amount counts: bytes (memory, disk) or plain things (CPUs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Count,
}

/// `>= 2 GiB`, `> 1, <= 64`; a bare amount means "at least".
#[derive(Debug, Clone, PartialEq)]
pub struct AmountReq {
    comparators: Vec<(Cmp, u64)>,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl AmountReq {
    pub fn parse(text: &str, unit: Unit) -> Result<AmountReq, String> {
        let mut comparators = Vec::new();
        for piece in text.split(',') {
            let piece = piece.trim();
            let op_len = piece
                .find(|c: char| !matches!(c, '<' | '>' | '=' | '!'))
                .unwrap_or(piece.len());
            let cmp = match &piece[..op_len] {
                "" | ">=" => Cmp::Ge,
                ">" => Cmp::Gt,
                "<=" => Cmp::Le,
                "<" => Cmp::Lt,
                "=" | "==" => Cmp::Eq,
                "!=" => Cmp::Ne,
                other => {
                    return Err(format!(
                        "`{other}` is not a comparison; use one of >=, >, <=, <, ==, !="
                    ))
                }
            };
            let amount = piece[op_len..].trim();
            let value = match unit {
                Unit::Bytes => parse_size(amount)?,
                Unit::Count => amount
                    .parse::<u64>()
                    .map_err(|_| format!("`{amount}` is not a whole number; write e.g. `>= 2`"))?,
            };
            comparators.push((cmp, value));
        }
        Ok(AmountReq {
            comparators,
            text: text.trim().to_string(),
        })
    }

    pub fn matches(&self, value: u64) -> bool {
        self.comparators.iter().all(|(cmp, bound)| match cmp {
            Cmp::Ge => value >= *bound,
            Cmp::Gt => value > *bound,
            Cmp::Le => value <= *bound,
            Cmp::Lt => value < *bound,
            Cmp::Eq => value == *bound,
            Cmp::Ne => value != *bound,
        })
    }
}

impl fmt::Display for AmountReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const UNITS: [(&str, u64); 9] = [
    ("b", 1),
    ("kb", 1000),
    ("mb", 1000 * 1000),
    ("gb", 1000 * 1000 * 1000),
    ("tb", 1000 * 1000 * 1000 * 1000),
    ("kib", 1 << 10),
    ("mib", 1 << 20),
    ("gib", 1 << 30),
    ("tib", 1 << 40),
];

/// `5 GiB`, `512MiB`, `1.5 GB`, `1024` (bytes).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let bad = || {
        format!(
            "`{text}` is not a size; write a number and a unit, e.g. `5 GiB`, `512 MiB`, `2 GB`"
        )
    };
    let number: f64 = number.parse().map_err(|_| bad())?;
    let factor = if unit.is_empty() {
        1
    } else {
        UNITS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(unit))
            .map(|(_, f)| *f)
            .ok_or_else(bad)?
    };
    Ok((number * factor as f64).round() as u64)
}

/// Shows bytes the way people read them: `1.9 GiB`, `512 MiB`, `900 B`.
pub fn format_size(bytes: u64) -> String {
    const BINARY: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < BINARY.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", BINARY[unit])
    }
}

/// `500ms`, `10s`, `2m`, `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let bad = || format!("`{text}` is not a duration; write e.g. `500ms`, `10s` or `2m`");
    let number: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(bad()),
    };
    if !(seconds > 0.0 && seconds < 86_400.0 * 365.0) {
        return Err(format!(
            "`{text}` must be more than zero and less than a year"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `1.234s`, `85ms`.
pub fn format_duration(d: Duration) -> String {
    if d.as_millis() >= 1000 {
        format!("{:.3}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_binary_and_decimal_units() {
        assert_eq!(parse_size("5 GiB"), Ok(5 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2 GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1.5 gib"), Ok(1_610_612_736));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(
            parse_size("5 gigs"),
            Err("`5 gigs` is not a size; write a number and a unit, e.g. `5 GiB`, `512 MiB`, `2 GB`".into())
        );
    }

    #[test]
    fn amount_requirements_compare() {
        let r = AmountReq::parse(">= 2 GiB", Unit::Bytes).unwrap();
        assert!(r.matches(2 << 30));
        assert!(!r.matches((2 << 30) - 1));
        let r = AmountReq::parse("> 1, <= 64", Unit::Count).unwrap();
        assert!(r.matches(2));
        assert!(!r.matches(1));
        assert!(!r.matches(65));
        assert!(AmountReq::parse("4", Unit::Count).unwrap().matches(8));
        assert_eq!(
            AmountReq::parse("=> 2", Unit::Count).unwrap_err(),
            "`=>` is not a comparison; use one of >=, >, <=, <, ==, !="
        );
        assert_eq!(
            AmountReq::parse(">= two", Unit::Count).unwrap_err(),
            "`two` is not a whole number; write e.g. `>= 2`"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(
            parse_duration("soon"),
            Err("`soon` is not a duration; write e.g. `500ms`, `10s` or `2m`".into())
        );
        assert!(parse_duration("0s").is_err());
        assert_eq!(format_duration(Duration::from_millis(85)), "85ms");
        assert_eq!(format_duration(Duration::from_millis(1234)), "1.234s");
    }

    #[test]
    fn sizes_format_for_people() {
        assert_eq!(format_size(900), "900 B");
        assert_eq!(format_size(2 << 30), "2.0 GiB");
        assert_eq!(format_size(1536 << 20), "1.5 GiB");
    }
}
