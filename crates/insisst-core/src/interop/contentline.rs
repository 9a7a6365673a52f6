//! The content-line grammar vCard (RFC 6350, 2426, and 2.1) and iCalendar (RFC 5545) share:
//! folded lines, `NAME;PARAM=VALUE:value`, `BEGIN`/`END` components, text escapes, and for
//! vCard 2.1 quoted-printable values with soft line breaks and `CHARSET` parameters.
//!
//! Written here rather than taken from a crate (`calcard` and `ical` were considered; see
//! ARCHITECTURE.md): an importer needs the line of every problem for its per-item report,
//! the caps ([`super::MAX_LINE_BYTES`]) applied while unfolding, and a bad charset or
//! quoted-printable value reported on its property instead of guessed at. The grammar is
//! small.

use std::fmt::Write as _;

/// One property of a component, its value still as bytes (decoded on demand, since the
/// charset and encoding come from its parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Upper-case, without its group (`item1.EMAIL` is `EMAIL`).
    pub name: String,
    /// Upper-case names; values as written, unquoted. vCard 2.1's bare parameters
    /// (`TEL;CELL;PREF`) become `TYPE=CELL`, `TYPE=PREF`.
    pub params: Vec<(String, String)>,
    pub raw: Vec<u8>,
    /// The first physical line of the property in the file (1-based).
    pub line: usize,
}

impl Property {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a `TYPE` parameter (in any of its spellings) holds `value`.
    pub fn has_type(&self, value: &str) -> bool {
        self.params
            .iter()
            .any(|(n, v)| n == "TYPE" && v.split(',').any(|t| t.trim().eq_ignore_ascii_case(value)))
            || (value.eq_ignore_ascii_case("PREF") && self.param("PREF").is_some())
    }

    /// The value as text: quoted-printable undone, then decoded from its charset (UTF-8
    /// unless a `CHARSET` parameter says otherwise). Escapes are left for the caller, since
    /// structured values split on them first.
    pub fn text(&self) -> Result<String, String> {
        let encoding = self.param("ENCODING").unwrap_or("").to_ascii_uppercase();
        let bytes = if encoding == "QUOTED-PRINTABLE" {
            quoted_printable(&self.raw)
        } else {
            self.raw.clone()
        };
        let charset = self
            .param("CHARSET")
            .unwrap_or("UTF-8")
            .to_ascii_uppercase();
        match charset.as_str() {
            "UTF-8" | "UTF8" | "US-ASCII" | "ASCII" => String::from_utf8(bytes).map_err(|_| {
                format!(
                    "line {}: {} is not valid UTF-8{}",
                    self.line,
                    self.name,
                    if self.param("CHARSET").is_none() {
                        " (and has no CHARSET parameter)"
                    } else {
                        ""
                    }
                )
            }),
            "ISO-8859-1" | "LATIN1" | "ISO8859-1" => Ok(bytes.iter().map(|&b| b as char).collect()),
            "WINDOWS-1252" | "CP1252" => Ok(bytes.iter().map(|&b| cp1252(b)).collect()),
            other => Err(format!(
                "line {}: {} uses charset {other}, which is not read (UTF-8, ISO-8859-1, windows-1252)",
                self.line, self.name
            )),
        }
    }

    /// The value as text with escapes undone (`\n`, `\,`, `\;`, `\\`).
    pub fn unescaped(&self) -> Result<String, String> {
        Ok(unescape(&self.text()?))
    }

    /// The components of a structured value (`N`, `ADR`, `ORG`), split on unescaped `;`.
    pub fn components(&self) -> Result<Vec<String>, String> {
        Ok(split_unescaped(&self.text()?, ';')
            .iter()
            .map(|s| unescape(s))
            .collect())
    }

    /// The items of a list value (`CATEGORIES`), split on unescaped `,`.
    pub fn list(&self) -> Result<Vec<String>, String> {
        Ok(split_unescaped(&self.text()?, ',')
            .iter()
            .map(|s| unescape(s).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect())
    }
}

/// A `BEGIN:X` … `END:X` block with its properties and nested components.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub line: usize,
    pub props: Vec<Property>,
    pub children: Vec<Component>,
    /// Lines inside it that could not be read, with why: reported with the item.
    pub problems: Vec<String>,
}

impl Component {
    pub fn prop(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }
}

/// The components of a file at top level, and the problems found outside them.
#[derive(Debug, Default)]
pub struct Parsed {
    pub components: Vec<Component>,
    pub problems: Vec<String>,
}

/// Splits a file into logical lines (unfolded, with the 1-based number of their first
/// physical line). Folding is a line that starts with a space or tab; vCard 2.1's
/// quoted-printable values also continue after a line ending in `=`.
fn logical_lines(bytes: &[u8], problems: &mut Vec<String>) -> Vec<(usize, Vec<u8>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut too_long: Option<usize> = None;
    let mut qp_open = false;
    for (i, physical) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let physical = physical.strip_suffix(b"\r").unwrap_or(physical);
        let folded = matches!(physical.first(), Some(b' ' | b'\t'));
        if (folded || qp_open) && !out.is_empty() {
            if too_long == Some(out.len() - 1) {
                continue;
            }
            let (first_line, last) = out.last_mut().expect("not empty");
            let first_line = *first_line;
            if qp_open {
                // A soft line break: the `=` goes, the next line follows as it is.
                last.pop();
                last.extend_from_slice(physical);
            } else {
                last.extend_from_slice(&physical[1..]);
            }
            if last.len() > super::MAX_LINE_BYTES {
                problems.push(format!(
                    "line {}: longer than {} bytes after unfolding; left out",
                    first_line,
                    super::MAX_LINE_BYTES
                ));
                last.clear();
                too_long = Some(out.len() - 1);
                qp_open = false;
                continue;
            }
            qp_open = qp_open && physical.ends_with(b"=");
            continue;
        }
        if physical.iter().all(u8::is_ascii_whitespace) {
            qp_open = false;
            continue;
        }
        if physical.len() > super::MAX_LINE_BYTES {
            problems.push(format!(
                "line {n}: longer than {} bytes; left out",
                super::MAX_LINE_BYTES
            ));
            out.push((n, Vec::new()));
            too_long = Some(out.len() - 1);
            qp_open = false;
            continue;
        }
        qp_open = is_quoted_printable(physical) && physical.ends_with(b"=");
        out.push((n, physical.to_vec()));
    }
    out.retain(|(_, l)| !l.is_empty());
    out
}

fn is_quoted_printable(line: &[u8]) -> bool {
    let head_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let head = String::from_utf8_lossy(&line[..head_end]).to_ascii_uppercase();
    head.contains("QUOTED-PRINTABLE")
}

/// Parses one logical line into a property: `group.NAME;P=V;P="V,W":value`.
fn parse_line(n: usize, line: &[u8]) -> Result<Property, String> {
    // The name and parameters are ASCII by the grammar (parameter values may be UTF-8);
    // the value starts after the first colon outside double quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.ok_or_else(|| format!("line {n}: no `:` (not a property line)"))?;
    let head = std::str::from_utf8(&line[..colon])
        .map_err(|_| format!("line {n}: property name or parameters are not valid UTF-8"))?;
    let mut parts = split_outside_quotes(head, ';').into_iter();
    let full_name = parts.next().unwrap_or_default();
    let name = full_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!("line {n}: `{full_name}` is not a property name"));
    }
    let mut params = Vec::new();
    for p in parts {
        match p.split_once('=') {
            Some((k, v)) => {
                let k = k.trim().to_ascii_uppercase();
                for value in split_outside_quotes(v, ',') {
                    params.push((k.clone(), value.trim().trim_matches('"').to_string()));
                }
            }
            None => {
                let bare = p.trim().to_ascii_uppercase();
                if bare == "QUOTED-PRINTABLE" || bare == "BASE64" || bare == "8BIT" {
                    params.push(("ENCODING".into(), bare));
                } else if !bare.is_empty() {
                    params.push(("TYPE".into(), bare));
                }
            }
        }
    }
    Ok(Property {
        name,
        params,
        raw: line[colon + 1..].to_vec(),
        line: n,
    })
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut in_quotes = false;
    for c in s.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if c == sep && !in_quotes {
            out.push(String::new());
        } else {
            out.last_mut().expect("not empty").push(c);
        }
    }
    out
}

/// Parses a whole file into its components. Lines that cannot be read are reported in the
/// component they are in (or at top level), and parsing goes on.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    let lines = logical_lines(bytes, &mut parsed.problems);
    let mut stack: Vec<Component> = Vec::new();
    for (n, line) in lines {
        let prop = match parse_line(n, &line) {
            Ok(p) => p,
            Err(e) => {
                match stack.last_mut() {
                    Some(c) => c.problems.push(e),
                    None => parsed.problems.push(e),
                }
                continue;
            }
        };
        let value = || {
            String::from_utf8_lossy(&prop.raw)
                .trim()
                .to_ascii_uppercase()
        };
        match prop.name.as_str() {
            "BEGIN" => {
                if stack.len() >= 8 {
                    parsed.problems.push(format!(
                        "line {n}: components nested too deep; file cut here"
                    ));
                    break;
                }
                stack.push(Component {
                    name: value(),
                    line: n,
                    ..Default::default()
                });
            }
            "END" => {
                let name = value();
                // An END that closes an outer component closes the inner ones too, which
                // are then reported as unfinished.
                let Some(depth) = stack.iter().rposition(|c| c.name == name) else {
                    let msg = format!("line {n}: END:{name} without its BEGIN");
                    match stack.last_mut() {
                        Some(c) => c.problems.push(msg),
                        None => parsed.problems.push(msg),
                    }
                    continue;
                };
                while stack.len() > depth + 1 {
                    let mut inner = stack.pop().expect("deeper");
                    inner
                        .problems
                        .push(format!("line {}: {} has no END", inner.line, inner.name));
                    let parent = stack.last_mut().expect("depth");
                    parent.problems.push(format!(
                        "line {}: {} has no END; left out",
                        inner.line, inner.name
                    ));
                }
                let done = stack.pop().expect("found");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => {
                        if parsed.components.len() >= super::MAX_ITEMS {
                            parsed.problems.push(format!(
                                "more than {} items; the rest of the file is left out",
                                super::MAX_ITEMS
                            ));
                            return parsed;
                        }
                        parsed.components.push(done)
                    }
                }
            }
            _ => match stack.last_mut() {
                Some(c) => c.props.push(prop),
                None => parsed.problems.push(format!(
                    "line {n}: {} outside any BEGIN/END; left out",
                    prop.name
                )),
            },
        }
    }
    for unfinished in stack.into_iter().rev() {
        parsed.problems.push(format!(
            "line {}: {} has no END (the file ends inside it); left out",
            unfinished.line, unfinished.name
        ));
    }
    parsed
}

fn quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            let hex = raw.get(i + 1..i + 3).and_then(|h| {
                std::str::from_utf8(h)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            });
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let cur = out.last_mut().expect("not empty");
            cur.push(c);
            if let Some(next) = chars.next() {
                cur.push(next);
            }
        } else if c == sep {
            out.push(String::new());
        } else {
            out.last_mut().expect("not empty").push(c);
        }
    }
    out
}

/// Undoes text escapes; `\r\n` written as `=0D=0A` by 2.1 writers becomes `\n`.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.replace("\r\n", "\n").replace('\r', "\n")
}

/// Escapes a text value (RFC 5545 3.3.11, RFC 6350 3.4).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.replace("\r\n", "\n").chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line folded at 75 octets (never inside a UTF-8 character), CRLF ended.
pub fn write_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// `NAME:value` with the value escaped as text.
pub fn write_text(out: &mut String, name: &str, value: &str) {
    let mut line = String::with_capacity(name.len() + value.len() + 1);
    let _ = write!(line, "{name}:{}", escape(value));
    write_line(out, &line);
}

/// A parameter value, quoted when it holds `:`, `;` or `,` (RFC 5545 3.2); double quotes
/// cannot be written inside one and are dropped.
pub fn param_value(v: &str) -> String {
    let v: String = v.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if v.contains([':', ';', ',']) {
        format!("\"{v}\"")
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_reads_parameters() {
        let text =
            b"BEGIN:VCARD\r\nFN:Jo\r\n hn\r\nitem1.EMAIL;TYPE=\"work,pref\":a@b.c\r\nEND:VCARD\r\n";
        let p = parse(text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let card = &p.components[0];
        assert_eq!(card.prop("FN").unwrap().unescaped().unwrap(), "John");
        let email = card.prop("EMAIL").unwrap();
        assert!(email.has_type("pref") && email.has_type("WORK"));
        assert_eq!(email.line, 4);
    }

    #[test]
    fn quoted_printable_soft_breaks_and_charsets() {
        let text = b"BEGIN:VCARD\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91=\n=C3=91;x\nNOTE;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:caf=E9\nEND:VCARD\n";
        let p = parse(text);
        let card = &p.components[0];
        assert_eq!(card.prop("N").unwrap().components().unwrap(), ["ÑÑ", "x"]);
        assert_eq!(card.prop("NOTE").unwrap().unescaped().unwrap(), "café");
        let bad = b"BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:=C3=91=80\nEND:VCARD\n";
        let p = parse(bad);
        assert!(p.components[0].prop("FN").unwrap().text().is_err());
    }

    #[test]
    fn escapes_round_trip_and_folding_keeps_characters() {
        let s = "a,b;c\\d\nzweite Zeile ČŘŽ";
        assert_eq!(unescape(&escape(s)), s);
        let mut out = String::new();
        write_text(&mut out, "NOTE", &"ř".repeat(100));
        for l in out.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let p = parse(format!("BEGIN:X\r\n{out}END:X\r\n").as_bytes());
        assert_eq!(
            p.components[0].prop("NOTE").unwrap().unescaped().unwrap(),
            "ř".repeat(100)
        );
    }

    #[test]
    fn broken_structure_is_reported_not_fatal() {
        let p = parse(b"FN:x\nBEGIN:VCARD\nFN:a\nBEGIN:VCARD\nFN:b\nEND:VCARD\nnonsense\n");
        assert_eq!(p.components.len(), 0);
        assert!(p.problems.iter().any(|e| e.contains("outside")));
        assert!(p.problems.iter().any(|e| e.contains("has no END")));
    }
}
