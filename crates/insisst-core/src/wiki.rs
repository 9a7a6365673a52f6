//! `[[Title]]` and `[[Title|alias]]` wiki links in markdown bodies.
//!
//! Links are stored by the normalised title they name and resolved when read, so a link
//! written before its target exists starts working as soon as a record of that title does.

/// A wiki link as written in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiLink {
    /// The title the link names (without `#heading` or `|alias`).
    pub target: String,
    pub alias: Option<String>,
}

/// The key titles are matched by: trimmed, case-folded, inner whitespace collapsed.
pub fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The title a link's target names: the part before any `#heading`, trimmed; `None` when that
/// is empty, longer than 500 characters or holds a bracket (then it is text, not a link).
/// [`extract`] and the markdown renderer ([`crate::markdown`]) share this rule.
pub fn target_title(target: &str) -> Option<&str> {
    let title = target.split('#').next().unwrap_or_default().trim();
    let valid = !title.is_empty() && title.chars().count() <= 500 && !title.contains(['[', ']']);
    valid.then_some(title)
}

/// Every wiki link in `body`, in order, skipping code (fenced blocks and inline spans).
pub fn extract(body: &str) -> Vec<WikiLink> {
    let mut out = Vec::new();
    let mut in_fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (in_fence, fence) {
            (None, Some(f)) => {
                in_fence = Some(f);
                continue;
            }
            (Some(open), Some(f)) if open == f => {
                in_fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, None) => {}
        }
        extract_line(line, &mut out);
    }
    out
}

fn extract_line(line: &str, out: &mut Vec<WikiLink>) {
    let mut rest = line;
    while !rest.is_empty() {
        let tick = rest.find('`');
        let open = rest.find("[[");
        match (tick, open) {
            (Some(t), Some(o)) if t < o => {
                // Skip an inline code span; an unclosed backtick is literal text.
                let after = &rest[t + 1..];
                rest = match after.find('`') {
                    Some(end) => &after[end + 1..],
                    None => after,
                };
            }
            (_, Some(o)) => {
                let after = &rest[o + 2..];
                let Some(close) = after.find("]]") else {
                    return;
                };
                let inner = &after[..close];
                if let Some(nested) = inner.rfind("[[") {
                    // `[[a [[b]]`: the first opening is text; the link starts at the last one.
                    rest = &after[nested..];
                    continue;
                }
                rest = &after[close + 2..];
                if inner.contains('[') || inner.contains(']') {
                    continue;
                }
                let (target, alias) = match inner.split_once('|') {
                    Some((t, a)) => (t, Some(a.trim().to_string()).filter(|a| !a.is_empty())),
                    None => (inner, None),
                };
                if let Some(target) = target_title(target) {
                    out.push(WikiLink {
                        target: target.to_string(),
                        alias,
                    });
                }
            }
            (_, None) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(body: &str) -> Vec<String> {
        extract(body).into_iter().map(|l| l.target).collect()
    }

    #[test]
    fn finds_links_aliases_and_headings() {
        let links = extract(
            "See [[Peer exchange in Århus|the Århus visit]] and [[Kvalita života#Výsledky]].",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].target, "Peer exchange in Århus");
        assert_eq!(links[0].alias.as_deref(), Some("the Århus visit"));
        assert_eq!(links[1].target, "Kvalita života");
    }

    #[test]
    fn skips_code_and_broken_links() {
        let body = "`[[not a link]]` [[real]]\n```\n[[in fence]]\n```\n[[unclosed and [[x]] ![[embed.png]]\n[[ ]]";
        assert_eq!(targets(body), vec!["real", "x", "embed.png"]);
    }

    #[test]
    fn title_keys_fold_case_and_space() {
        assert_eq!(title_key("  Życie  Społeczne "), "życie społeczne");
    }
}
