//! A record's markdown body rendered to HTML that is safe to put into the app's window.
//!
//! Three steps, each with one job:
//! 1. **Parse** with pulldown-cmark (CommonMark plus tables, task lists, strikethrough,
//!    footnotes and `[[wiki links]]`). Its parser is linear in the input, and a body is bounded
//!    by [`crate::schema::MAX_BODY_BYTES`].
//! 2. **Rewrite** the events: wiki links become in-app links (or a "missing" marker), links
//!    and images that name an attachment point at the app's own [`ATTACHMENT_SCHEME`], every
//!    other link keeps only `http(s)`/`mailto` and is marked external, remote images become
//!    external links (no image is ever fetched from the network), tables and footnotes are
//!    written without `style` or bare ids, and anchors and inputs written as raw HTML are
//!    defused (so every link in the output is one this module made and classified).
//! 3. **Sanitise** the whole HTML with ammonia against a small allow-list ([`sanitizer`]),
//!    which holds whatever the earlier steps might miss: no script, no event handlers, no
//!    `style`, no URL schemes but `http`, `https`, `mailto` and [`ATTACHMENT_SCHEME`], images
//!    only from the attachment scheme, no SVG/MathML, frames, objects, embeds or forms; the
//!    only `<input>` is a disabled checkbox.
//!
//! The window's CSP (tauri.conf.json) forbids inline script and allows images only from the
//! app and the attachment scheme anyway; the integration tests check both layers.
//!
//! What the UI does with the result: it inserts the string as HTML and intercepts clicks on
//! anchors in it. `a.wiki[href]` navigates in the app (`#/record/<id>`); `a.wiki.missing` has
//! no `href` and carries the title it names in `data-title` (to offer creating it);
//! `a.external` opens its `href` in the system browser, only on click; `a.attachment` opens an
//! attachment; footnote anchors (`href="#user-content-fn-N"`) scroll to the element with that
//! id. Nothing else in the output is clickable.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::wiki;

/// The URI scheme the app serves attachment files under (registered by the desktop shell).
pub const ATTACHMENT_SCHEME: &str = "insisst-attachment";

/// Every attachment URL is this prefix followed by the file's lower-case hex sha256:
/// `insisst-attachment://localhost/<sha256>`.
pub const ATTACHMENT_URL_PREFIX: &str = "insisst-attachment://localhost/";

/// In-app links to a record are `#/record/<id>` (the UI's hash route).
pub const RECORD_HREF_PREFIX: &str = "#/record/";

/// Markdown containers nested deeper than this lose their tags (their content stays, in the
/// deepest container kept): the HTML parser and the sanitiser cost time in proportion to the
/// depth for every element, so unbounded nesting (a megabyte of `>`) would be quadratic.
pub const MAX_NESTING: usize = 100;

/// Raw HTML may nest elements this deep (counted over the whole body); past it, the rest of
/// the body's raw HTML is shown as text.
pub const MAX_RAW_HTML_NESTING: usize = 64;

/// Every `id` in the output starts with this (ammonia adds it to ids from raw HTML), so that
/// no note can clobber a global of the page by naming an element.
const ID_PREFIX: &str = "user-content-";

/// Footnote `N` is the element `id="user-content-fn-N"`.
const FOOTNOTE_ID_PREFIX: &str = "user-content-fn-";

/// The record a wiki link's title resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiTarget {
    /// The record's id: the link goes to `#/record/<id>` (percent-encoded).
    pub id: String,
    /// The record's own title, shown as the link's tooltip.
    pub title: String,
}

/// The URL under which the app serves the attachment with this sha256, or `None` when
/// `sha256` is not 64 hex digits.
pub fn attachment_url(sha256: &str) -> Option<String> {
    is_sha256(sha256).then(|| format!("{ATTACHMENT_URL_PREFIX}{}", sha256.to_ascii_lowercase()))
}

/// `url` when the app may hand it to the system browser: `http://` or `https://` followed by
/// something, or `mailto:` followed by something (scheme in any case), with no whitespace or
/// control characters anywhere. The same schemes the renderer marks `external`; every other
/// scheme (`file:`, `javascript:`, custom handlers) is refused.
pub fn external_url(url: &str) -> Option<&str> {
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len());
    ok.then_some(url)
}

/// The `Content-Type` under which the app serves an attachment file whose first bytes are
/// `head` (16 are enough): a raster image type when the bytes are a PNG, JPEG, GIF, WebP, BMP
/// or AVIF, else `application/octet-stream`.
///
/// Decided by the bytes, not by the attachment record's `media_type` (which comes from a file
/// name, or from another workspace's bundle). Never `image/svg+xml` or any text type: an SVG
/// or HTML document is active content (script, links, external loads), and a file served as
/// one would run with the app's origin if the window ever navigated to it; as octet-stream
/// an `<img>` shows nothing and nothing runs.
pub fn attachment_content_type(head: &[u8]) -> &'static str {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        "image/gif"
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        "image/webp"
    } else if head.starts_with(b"BM") && head.len() >= 14 {
        "image/bmp"
    } else if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(&head[8..12], b"avif" | b"avis")
    {
        "image/avif"
    } else {
        "application/octet-stream"
    }
}

/// Renders a markdown body to sanitised HTML.
///
/// - `resolve` is asked for the record a wiki link names, with the title as written (the
///   part before any `#heading`, trimmed: [`wiki::target_title`], the rule the backlinks use);
///   it should match as [`crate::Workspace::find_by_title`] does (case and spacing folded) and
///   return `None` when no live record has that title. `[[Title]]` and `[[Title|alias]]` then
///   become `<a href="#/record/<id>" class="wiki" title="<record title>">` showing the alias
///   (or what was written), or `<a class="wiki missing" data-title="<Title>">` (no `href`)
///   when nothing resolved. Wiki links in code spans and blocks stay text.
/// - `attachments` is asked for the attachment a link or image destination names: a
///   relative destination (percent-decoded, without a leading `./`), the target of an
///   Obsidian-style embed `![[photo.png]]`, or the sha256 of an
///   `insisst-attachment://localhost/<sha256>` URL. It should answer with the sha256 of the
///   attachment whose sha256 or file name that is, or `None`. Images then load from
///   `insisst-attachment://localhost/<sha256>` and links point there (`class="attachment"`);
///   an unresolved image becomes `<span class="missing-image">` with its alt text (or the
///   name), an unresolved link `<span class="dropped-link">` with its text.
///
/// Both callbacks are asked once per distinct name and render. Links to `http(s)` and
/// `mailto` become `<a class="external" rel="noopener noreferrer">`; images from the network
/// become such links too (shown as their alt text); any other destination (`javascript:`,
/// `data:`, `file:`, other schemes, `#anchors`) keeps its text and loses its link.
/// `![[file|300]]` or `![[file|300x200]]` sets the embedded image's width (and height).
///
/// Raw HTML in the body is kept only as far as the sanitiser allows (formatting such as
/// `<kbd>`, `<sub>`, `<details>`); anchors and inputs written as raw HTML lose their tag (their
/// text stays), so every link in the output went through the rules above.
///
/// Containers nested deeper than [`MAX_NESTING`] and raw HTML nested deeper than
/// [`MAX_RAW_HTML_NESTING`] are flattened (their text stays), which keeps the HTML parser and
/// the sanitiser linear in the body.
///
/// Never fails and never panics: any string renders to something.
pub fn render(
    body: &str,
    resolve: &dyn Fn(&str) -> Option<WikiTarget>,
    attachments: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut rewriter = Rewriter {
        resolve,
        attachments,
        wiki_cache: HashMap::new(),
        attachment_cache: HashMap::new(),
        footnotes: HashMap::new(),
        out: Vec::new(),
        links: Vec::new(),
        table: None,
        raw_html: RawHtmlDepth::default(),
    };
    rewriter.run(DepthLimit {
        inner: Parser::new_ext(body, options()),
        depth: 0,
    });
    let mut html = String::with_capacity(body.len() + body.len() / 2 + 64);
    pulldown_cmark::html::push_html(&mut html, rewriter.out.into_iter());
    sanitizer().clean(&html).to_string()
}

/// The markdown extensions notes use.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
}

/// Where a link or image destination may lead.
#[derive(Debug, PartialEq, Eq)]
enum Dest {
    /// `http(s)` or `mailto`: opened in the system browser, on click.
    External(String),
    /// A name (or sha256) to ask the attachment resolver about.
    Attachment(String),
    /// Anything else: the text stays, the link goes.
    Dropped,
}

fn classify(dest: &str) -> Dest {
    let d = dest.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let lower = d.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix(ATTACHMENT_URL_PREFIX) {
        return if is_sha256(rest) {
            Dest::Attachment(rest.to_string())
        } else {
            Dest::Dropped
        };
    }
    let external = ["http://", "https://"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len())
        || (lower.starts_with("mailto:") && lower.len() > "mailto:".len());
    if external {
        return Dest::External(d.to_string());
    }
    // A `:` before the first `/`, `?` or `#` is a scheme (or a drive letter): refused, whatever
    // the case, entities or whitespace tricks that spelled it. So are in-page anchors and
    // network-path references.
    let head = &d[..d.find(['/', '?', '#']).unwrap_or(d.len())];
    if d.is_empty() || head.contains(':') || d.starts_with('#') || d.starts_with("//") {
        return Dest::Dropped;
    }
    let name = percent_decode(d);
    let name = name.strip_prefix("./").unwrap_or(&name).trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        Dest::Dropped
    } else {
        Dest::Attachment(name.to_string())
    }
}

/// What closes a link this rewriter opened, and what to show when its text came out empty.
struct LinkFrame {
    close: Event<'static>,
    start: usize,
    fallback: Option<String>,
}

struct TableState {
    aligns: Vec<Alignment>,
    in_head: bool,
    cell: usize,
}

struct Rewriter<'r, 'a> {
    resolve: &'r dyn Fn(&str) -> Option<WikiTarget>,
    attachments: &'r dyn Fn(&str) -> Option<String>,
    wiki_cache: HashMap<String, Option<WikiTarget>>,
    attachment_cache: HashMap<String, Option<String>>,
    footnotes: HashMap<String, usize>,
    out: Vec<Event<'a>>,
    links: Vec<LinkFrame>,
    table: Option<TableState>,
    raw_html: RawHtmlDepth,
}

/// Drops the start and end of every container nested deeper than [`MAX_NESTING`] (the
/// parser's events are balanced, so a depth counter is enough).
struct DepthLimit<I> {
    inner: I,
    depth: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for DepthLimit<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            match event {
                Event::Start(_) => {
                    self.depth += 1;
                    if self.depth <= MAX_NESTING {
                        return Some(event);
                    }
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth < MAX_NESTING {
                        return Some(event);
                    }
                }
                _ => return Some(event),
            }
        }
    }
}

/// An estimate of how deep raw HTML has nested elements so far: start tags of elements that
/// can hold others count up, end tags down. It may count too high (a tag inside an attribute
/// value or a comment), never too low for the elements that nest; once it passes
/// [`MAX_RAW_HTML_NESTING`], the rest of the raw HTML is text.
#[derive(Default)]
struct RawHtmlDepth {
    depth: usize,
    exceeded: bool,
}

impl RawHtmlDepth {
    /// How much of `raw` (a byte length) may go to the HTML parser as HTML; the rest is text.
    fn admit(&mut self, raw: &str) -> usize {
        if self.exceeded {
            return 0;
        }
        let bytes = raw.as_bytes();
        let mut i = 0;
        while let Some(off) = raw[i..].find('<') {
            i += off + 1;
            let end_tag = bytes.get(i) == Some(&b'/');
            let start = i + usize::from(end_tag);
            let len = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            if len == 0 || !bytes[start].is_ascii_alphabetic() {
                continue;
            }
            let name = raw[start..start + len].to_ascii_lowercase();
            if LEAF_OR_SELF_CLOSING.contains(&name.as_str()) {
                continue;
            }
            if end_tag {
                self.depth = self.depth.saturating_sub(1);
            } else {
                self.depth += 1;
                if self.depth > MAX_RAW_HTML_NESTING {
                    self.exceeded = true;
                    return i - 1;
                }
            }
        }
        raw.len()
    }
}

/// Elements that hold nothing (void) or close by themselves when a sibling starts: they do
/// not make raw HTML deeper.
const LEAF_OR_SELF_CLOSING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
    "optgroup", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

impl<'a> Rewriter<'_, 'a> {
    fn run(&mut self, mut events: impl Iterator<Item = Event<'a>>) {
        while let Some(event) = events.next() {
            match event {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }) => self.open_link(link_type, &dest_url, &title),
                Event::End(TagEnd::Link) => self.close_link(),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    ..
                }) => {
                    let alt = alt_text(&mut events);
                    self.image(link_type, &dest_url, &title, &alt);
                }
                Event::FootnoteReference(name) => {
                    let n = self.footnote_number(&name);
                    self.html(format!(
                        "<sup class=\"footnote-ref\"><a href=\"#{FOOTNOTE_ID_PREFIX}{n}\">{n}</a></sup>"
                    ));
                }
                Event::Start(Tag::FootnoteDefinition(name)) => {
                    let n = self.footnote_number(&name);
                    self.out.push(Event::Html(
                        format!(
                            "<div class=\"footnote\" id=\"{FOOTNOTE_ID_PREFIX}{n}\"><sup class=\"footnote-label\">{n}</sup>\n"
                        )
                        .into(),
                    ));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    self.out.push(Event::Html("</div>\n".into()));
                }
                Event::Start(Tag::Table(aligns)) => {
                    self.table = Some(TableState {
                        aligns,
                        in_head: false,
                        cell: 0,
                    });
                    self.out.push(Event::Html("<table>\n".into()));
                }
                Event::End(TagEnd::Table) => {
                    self.table = None;
                    self.out.push(Event::Html("</tbody></table>\n".into()));
                }
                Event::Start(Tag::TableHead) => {
                    if let Some(t) = &mut self.table {
                        t.in_head = true;
                        t.cell = 0;
                    }
                    self.out.push(Event::Html("<thead><tr>".into()));
                }
                Event::End(TagEnd::TableHead) => {
                    if let Some(t) = &mut self.table {
                        t.in_head = false;
                    }
                    self.out.push(Event::Html("</tr></thead><tbody>\n".into()));
                }
                Event::Start(Tag::TableRow) => {
                    if let Some(t) = &mut self.table {
                        t.cell = 0;
                    }
                    self.out.push(Event::Html("<tr>".into()));
                }
                Event::End(TagEnd::TableRow) => self.out.push(Event::Html("</tr>\n".into())),
                Event::Start(Tag::TableCell) => {
                    let (tag, align) = match &mut self.table {
                        Some(t) => {
                            let align = t.aligns.get(t.cell).copied();
                            t.cell += 1;
                            (if t.in_head { "th" } else { "td" }, align)
                        }
                        None => ("td", None),
                    };
                    let class = match align {
                        Some(Alignment::Left) => " class=\"align-left\"",
                        Some(Alignment::Center) => " class=\"align-center\"",
                        Some(Alignment::Right) => " class=\"align-right\"",
                        _ => "",
                    };
                    self.html(format!("<{tag}{class}>"));
                }
                Event::End(TagEnd::TableCell) => {
                    let in_head = self.table.as_ref().is_some_and(|t| t.in_head);
                    self.html(if in_head { "</th>" } else { "</td>" }.to_string());
                }
                Event::TaskListMarker(checked) => self.html(format!(
                    "<input type=\"checkbox\" disabled=\"\"{}>\n",
                    if checked { " checked=\"\"" } else { "" }
                )),
                Event::Html(raw) | Event::InlineHtml(raw) => self.raw(raw),
                other => self.out.push(other),
            }
        }
    }

    /// Raw HTML, defused, as far as its nesting allows; the rest as text.
    fn raw(&mut self, raw: CowStr<'a>) {
        let admitted = self.raw_html.admit(&raw);
        if admitted == raw.len() {
            self.out.push(Event::InlineHtml(defuse_raw_tags(raw)));
        } else {
            if admitted > 0 {
                let html = raw[..admitted].to_string();
                self.out
                    .push(Event::InlineHtml(defuse_raw_tags(html.into())));
            }
            self.text(&raw[admitted..]);
        }
    }

    fn html(&mut self, html: String) {
        self.out.push(Event::InlineHtml(html.into()));
    }

    fn text(&mut self, text: &str) {
        self.out.push(Event::Text(text.to_string().into()));
    }

    fn footnote_number(&mut self, name: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(name.to_string()).or_insert(next)
    }

    fn open_link(&mut self, link_type: LinkType, dest: &str, title: &str) {
        let start = self.out.len() + 1;
        if let LinkType::WikiLink { .. } = link_type {
            let Some(target) = wiki::target_title(dest) else {
                // Not a link under the wiki rules: the brackets and text stay as written.
                self.text("[[");
                self.links.push(LinkFrame {
                    close: Event::Text("]]".into()),
                    start,
                    fallback: Some(dest.to_string()),
                });
                return;
            };
            let open = self.wiki_anchor(target);
            self.html(open);
            self.links.push(LinkFrame {
                close: Event::InlineHtml("</a>".into()),
                start,
                fallback: Some(dest.trim().to_string()),
            });
            return;
        }
        let dest = match link_type {
            LinkType::Email => Cow::Owned(format!("mailto:{dest}")),
            _ => Cow::Borrowed(dest),
        };
        let title_attr = attr_if("title", title);
        let (open, close) = match classify(&dest) {
            Dest::External(url) => (
                format!(
                    "<a href=\"{}\" class=\"external\"{title_attr}>",
                    escape_href(&url)
                ),
                "</a>",
            ),
            Dest::Attachment(name) => match self.attachment(&name) {
                Some(sha) => (
                    format!("<a href=\"{ATTACHMENT_URL_PREFIX}{sha}\" class=\"attachment\"{title_attr}>"),
                    "</a>",
                ),
                None => ("<span class=\"dropped-link\">".to_string(), "</span>"),
            },
            Dest::Dropped => ("<span class=\"dropped-link\">".to_string(), "</span>"),
        };
        self.html(open);
        self.links.push(LinkFrame {
            close: Event::InlineHtml(close.into()),
            start,
            fallback: None,
        });
    }

    fn close_link(&mut self) {
        let Some(frame) = self.links.pop() else {
            return;
        };
        if let Some(fallback) = frame.fallback {
            let start = frame.start.min(self.out.len());
            let empty = self.out[start..]
                .iter()
                .all(|e| matches!(e, Event::Text(t) if t.trim().is_empty()));
            if empty {
                // `[[Title|]]`: an empty alias shows the title, as the backlinks do.
                self.out.truncate(start);
                self.text(&fallback);
            }
        }
        self.out.push(frame.close);
    }

    /// The opening tag of a wiki link to `target` (already checked by the wiki rules).
    fn wiki_anchor(&mut self, target: &str) -> String {
        match self.wiki_target(target) {
            Some(t) => format!(
                "<a href=\"{RECORD_HREF_PREFIX}{}\" class=\"wiki\"{}>",
                encode_path_segment(&t.id),
                attr_if("title", &t.title)
            ),
            None => format!(
                "<a class=\"wiki missing\" data-title=\"{}\">",
                escape_attr(target)
            ),
        }
    }

    fn wiki_target(&mut self, target: &str) -> Option<WikiTarget> {
        let resolve = self.resolve;
        self.wiki_cache
            .entry(wiki::title_key(target))
            .or_insert_with(|| resolve(target).filter(|t| !t.id.is_empty()))
            .clone()
    }

    fn attachment(&mut self, name: &str) -> Option<String> {
        let attachments = self.attachments;
        self.attachment_cache
            .entry(name.to_string())
            .or_insert_with(|| {
                attachments(name)
                    .filter(|sha| is_sha256(sha))
                    .map(|sha| sha.to_ascii_lowercase())
            })
            .clone()
    }

    fn image(&mut self, link_type: LinkType, dest: &str, title: &str, alt: &str) {
        let title_attr = attr_if("title", title);
        if let LinkType::WikiLink { has_pothole } = link_type {
            // `![[photo.png]]`, `![[photo.png|300]]`, or `![[Some note]]` (shown as a link).
            let name = dest.trim();
            let alias = if has_pothole { alt.trim() } else { "" };
            if let Some(sha) = self.attachment(name) {
                let (size, alt) = match image_size(alias) {
                    Some(size) => (size, name),
                    None => (String::new(), if alias.is_empty() { name } else { alias }),
                };
                self.html(format!(
                    "<img src=\"{ATTACHMENT_URL_PREFIX}{sha}\" alt=\"{}\"{size}>",
                    escape_attr(alt)
                ));
            } else if let Some(target) = wiki::target_title(name) {
                let open = self.wiki_anchor(target);
                self.html(open);
                self.text(if alias.is_empty() { name } else { alias });
                self.html("</a>".to_string());
            } else {
                self.text(&format!("![[{name}]]"));
            }
            return;
        }
        match classify(dest) {
            Dest::Attachment(name) => match self.attachment(&name) {
                Some(sha) => self.html(format!(
                    "<img src=\"{ATTACHMENT_URL_PREFIX}{sha}\" alt=\"{}\"{title_attr}>",
                    escape_attr(alt)
                )),
                None => {
                    self.html("<span class=\"missing-image\">".to_string());
                    self.text(if alt.trim().is_empty() { &name } else { alt });
                    self.html("</span>".to_string());
                }
            },
            Dest::External(url) if !url.to_ascii_lowercase().starts_with("mailto:") => {
                // No image is fetched from the network: it becomes a link to open on click.
                self.html(format!(
                    "<a href=\"{}\" class=\"external\"{title_attr}>",
                    escape_href(&url)
                ));
                self.text(if alt.trim().is_empty() { &url } else { alt });
                self.html("</a>".to_string());
            }
            _ => {
                self.html("<span class=\"missing-image\">".to_string());
                self.text(alt);
                self.html("</span>".to_string());
            }
        }
    }
}

/// The plain text of an image's description, consuming its events up to its end.
fn alt_text<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> String {
    let mut alt = String::new();
    let mut depth = 1usize;
    for event in events.by_ref() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Text(t) | Event::Code(t) => alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    alt
}

/// ` width="300"` for `300`, ` width="300" height="200"` for `300x200`; `None` otherwise.
fn image_size(alias: &str) -> Option<String> {
    fn dim(s: &str) -> Option<&str> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
    }
    match alias.split_once('x') {
        None => dim(alias).map(|w| format!(" width=\"{w}\"")),
        Some((w, h)) => Some(format!(" width=\"{}\" height=\"{}\"", dim(w)?, dim(h)?)),
    }
}

/// Raw HTML may not make anchors or inputs: every link in the output is one [`Rewriter`]
/// classified, every checkbox a task-list marker. The `<` of an `a` or `input` start tag
/// becomes `<x-raw-`, an element the sanitiser drops (keeping its text). A tag name ends at
/// whitespace, `/`, `>` or the end of the chunk and is case-insensitive, as the HTML
/// tokenizer reads it.
fn defuse_raw_tags(raw: CowStr<'_>) -> CowStr<'_> {
    let bytes = raw.as_bytes();
    let is_defused_at = |i: usize| {
        bytes[i] == b'<'
            && ["a", "input"].iter().any(|name| {
                let end = i + 1 + name.len();
                bytes.len() >= end
                    && bytes[i + 1..end].eq_ignore_ascii_case(name.as_bytes())
                    && bytes.get(end).is_none_or(|b| {
                        matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>')
                    })
            })
    };
    if !(0..bytes.len()).any(is_defused_at) {
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + 16);
    let mut last = 0;
    for i in 0..bytes.len() {
        if is_defused_at(i) {
            out.push_str(&raw[last..i]);
            out.push_str("<x-raw-");
            last = i + 1;
        }
    }
    out.push_str(&raw[last..]);
    out.into()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `%XX` sequences decoded (invalid ones kept as written); bytes that are not UTF-8 replaced.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A record id as one path segment of the in-app route: unreserved characters as they are,
/// every other byte percent-encoded.
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An `http(s)`/`mailto` URL for an `href`: spaces, control characters, quotes, angle
/// brackets, backticks and backslashes percent-encoded, `&` as an entity.
fn escape_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            c if c.is_control() || matches!(c, ' ' | '"' | '\'' | '<' | '>' | '`' | '\\') => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// ` name="value"` (escaped), or nothing for an empty value.
fn attr_if(name: &str, value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" {name}=\"{}\"", escape_attr(value))
    }
}

/// The HTML sanitiser every rendered body goes through: an allow-list, built once.
///
/// Kept: paragraphs, headings, lists, quotes, code, tables, emphasis, `del`/`ins`/`sub`/`sup`/
/// `kbd`/`mark`/`abbr`, `details`/`summary`, definition lists, line breaks and rules; `a`
/// (`href` only `http(s)`, `mailto`, the attachment scheme, `#/record/…` or a footnote),
/// `img` (`src` only an attachment URL), the task-list `input` (always a disabled checkbox);
/// the classes this module writes; `title`, `lang`, `dir`. Every `<a>` gets
/// `rel="noopener noreferrer"`, every id the `user-content-` prefix. Removed with their
/// content: script, style, template, noscript, frames, objects, embeds, SVG, MathML and the
/// raw-text elements. Everything else loses its tag and keeps its text; comments go.
pub fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(build_sanitizer)
}

fn build_sanitizer() -> ammonia::Builder<'static> {
    use std::collections::HashSet;
    let set = |items: &[&'static str]| items.iter().copied().collect::<HashSet<_>>();
    let mut tag_attributes = HashMap::new();
    tag_attributes.insert("a", set(&["href", "data-title"]));
    tag_attributes.insert("img", set(&["src", "alt", "width", "height"]));
    tag_attributes.insert("input", set(&["checked"]));
    tag_attributes.insert("ol", set(&["start"]));
    tag_attributes.insert("code", set(&["class"]));
    tag_attributes.insert("div", set(&["id"]));
    tag_attributes.insert("td", set(&["colspan", "rowspan"]));
    tag_attributes.insert("th", set(&["colspan", "rowspan"]));
    let mut classes = HashMap::new();
    classes.insert("a", set(&["wiki", "missing", "external", "attachment"]));
    classes.insert("span", set(&["dropped-link", "missing-image"]));
    classes.insert("sup", set(&["footnote-ref", "footnote-label"]));
    classes.insert("div", set(&["footnote"]));
    for cell in ["th", "td"] {
        classes.insert(cell, set(&["align-left", "align-center", "align-right"]));
    }
    let mut builder = ammonia::Builder::default();
    builder
        .tags(set(&[
            "a",
            "abbr",
            "b",
            "blockquote",
            "br",
            "code",
            "dd",
            "del",
            "details",
            "div",
            "dl",
            "dt",
            "em",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "i",
            "img",
            "input",
            "ins",
            "kbd",
            "li",
            "mark",
            "ol",
            "p",
            "pre",
            "q",
            "s",
            "samp",
            "small",
            "span",
            "strong",
            "sub",
            "summary",
            "sup",
            "table",
            "tbody",
            "td",
            "tfoot",
            "th",
            "thead",
            "tr",
            "u",
            "ul",
            "var",
        ]))
        .clean_content_tags(set(&[
            "applet", "embed", "frame", "frameset", "iframe", "math", "noembed", "noframes",
            "noscript", "object", "script", "select", "style", "svg", "template", "textarea",
            "title", "xmp",
        ]))
        .generic_attributes(set(&["title", "lang", "dir"]))
        .generic_attribute_prefixes(HashSet::new())
        .tag_attributes(tag_attributes)
        .tag_attribute_values(HashMap::from([(
            "input",
            HashMap::from([("type", set(&["checkbox"])), ("disabled", set(&[""]))]),
        )]))
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .allowed_classes(classes)
        .url_schemes(set(&["http", "https", "mailto", ATTACHMENT_SCHEME]))
        .url_relative(ammonia::UrlRelative::Custom(Box::new(relative_url)))
        .link_rel(Some("noopener noreferrer"))
        .id_prefix(Some(ID_PREFIX))
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
}

/// The only relative URLs kept: in-app record links and footnotes.
fn relative_url(url: &str) -> Option<Cow<'_, str>> {
    let ok =
        url.starts_with(RECORD_HREF_PREFIX) || url.starts_with(&format!("#{FOOTNOTE_ID_PREFIX}"));
    ok.then_some(Cow::Borrowed(url))
}

/// Per-attribute rules the allow-list alone cannot say.
fn filter_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    let keep = match (element, attribute) {
        ("img", "src") => value
            .strip_prefix(ATTACHMENT_URL_PREFIX)
            .is_some_and(is_sha256),
        ("a", "href") => {
            let lower = value.to_ascii_lowercase();
            ["http://", "https://", "mailto:", ATTACHMENT_URL_PREFIX]
                .iter()
                .any(|p| lower.starts_with(p))
                || relative_url(value).is_some()
        }
        ("img", "width" | "height") | ("td" | "th", "colspan" | "rowspan") => {
            !value.is_empty() && value.len() <= 4 && value.bytes().all(|b| b.is_ascii_digit())
        }
        ("ol", "start") => {
            !value.is_empty() && value.len() <= 9 && value.bytes().all(|b| b.is_ascii_digit())
        }
        ("code", "class") => value.strip_prefix("language-").is_some_and(|lang| {
            !lang.is_empty()
                && lang.len() <= 40
                && lang.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'#' | b'.')
                })
        }),
        ("input", "checked") => return Some(Cow::Borrowed("")),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn resolve(title: &str) -> Option<WikiTarget> {
        (wiki::title_key(title) == "peer exchange in århus").then(|| WikiTarget {
            id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            title: "Peer exchange in Århus".into(),
        })
    }

    fn attachments(name: &str) -> Option<String> {
        matches!(name, "photo.png" | "my photo.png" | "report.pdf" | SHA).then(|| SHA.to_string())
    }

    fn md(body: &str) -> String {
        render(body, &resolve, &attachments)
    }

    #[test]
    fn renders_commonmark_and_the_extensions() {
        assert_eq!(
            md("# Title\n\n*a* **b**"),
            "<h1>Title</h1>\n<p><em>a</em> <strong>b</strong></p>\n"
        );
        assert_eq!(md("~~gone~~"), "<p><del>gone</del></p>\n");
        let tasks = md("- [x] done\n- [ ] open");
        assert!(
            tasks.contains(r#"<input type="checkbox" disabled="" checked="">"#),
            "{tasks}"
        );
        assert_eq!(tasks.matches("disabled=\"\"").count(), 2, "{tasks}");
        let table = md("| a | b |\n|:--|--:|\n| 1 | 2 |");
        assert!(
            table.contains(r#"<th class="align-left">a</th>"#),
            "{table}"
        );
        assert!(
            table.contains(r#"<td class="align-right">2</td>"#),
            "{table}"
        );
        assert!(!table.contains("style"), "{table}");
        let notes = md("Claim.[^src]\n\n[^src]: The source.");
        assert!(notes.contains(r##"<sup class="footnote-ref"><a href="#user-content-fn-1" rel="noopener noreferrer">1</a></sup>"##), "{notes}");
        assert!(notes.contains(r#"<div class="footnote" id="user-content-fn-1"><sup class="footnote-label">1</sup>"#), "{notes}");
        let code = md("```rust\nfn main() {}\n```");
        assert!(code.contains(r#"<code class="language-rust">"#), "{code}");
    }

    #[test]
    fn wiki_links_resolve_or_are_marked_missing() {
        let html =
            md("See [[Peer exchange in Århus|the visit]] and [[peer  EXCHANGE in århus#Day 2]].");
        assert!(html.contains(r##"<a href="#/record/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" class="wiki" title="Peer exchange in Århus" rel="noopener noreferrer">the visit</a>"##), "{html}");
        assert!(html.contains(r#"class="wiki" title="Peer exchange in Århus" rel="noopener noreferrer">peer  EXCHANGE in århus#Day 2</a>"#), "{html}");
        let missing = md("[[Nobody wrote this]]");
        assert_eq!(missing, "<p><a class=\"wiki missing\" data-title=\"Nobody wrote this\" rel=\"noopener noreferrer\">Nobody wrote this</a></p>\n");
        let empty_alias = md("[[Nobody wrote this|]]");
        assert!(
            empty_alias.contains(">Nobody wrote this</a>"),
            "{empty_alias}"
        );
    }

    #[test]
    fn wiki_links_in_code_stay_text() {
        let html = md("`[[Peer exchange in Århus]]`\n\n```\n[[Peer exchange in Århus]]\n```");
        assert!(!html.contains("<a"), "{html}");
        assert!(
            html.contains("<code>[[Peer exchange in Århus]]</code>"),
            "{html}"
        );
    }

    #[test]
    fn the_resolver_is_asked_once_per_title() {
        let calls = std::cell::Cell::new(0);
        let counting = |t: &str| {
            calls.set(calls.get() + 1);
            resolve(t)
        };
        render("[[A]] [[a]] [[ A ]] [[B]]", &counting, &|_| None);
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn ids_from_the_resolver_are_encoded() {
        let weird = |_: &str| {
            Some(WikiTarget {
                id: "x\" onclick=\"alert(1)".into(),
                title: "<script>".into(),
            })
        };
        let html = render("[[T]]", &weird, &|_| None);
        assert!(
            html.contains(r##"href="#/record/x%22%20onclick%3D%22alert%281%29""##),
            "{html}"
        );
        assert!(!html.contains("onclick="), "{html}");
    }

    #[test]
    fn attachments_resolve_to_the_app_scheme() {
        let img = md("![A photo](photo.png \"Caption\")");
        assert_eq!(img, format!("<p><img src=\"insisst-attachment://localhost/{SHA}\" alt=\"A photo\" title=\"Caption\"></p>\n"));
        assert!(md("![x](<my photo.png>)").contains(SHA));
        assert!(md("![x](./my%20photo.png)").contains(SHA));
        assert!(md(&format!("![x](insisst-attachment://localhost/{SHA})")).contains(SHA));
        let embed = md("![[photo.png|300]]");
        assert!(
            embed.contains(&format!(
                "src=\"insisst-attachment://localhost/{SHA}\" alt=\"photo.png\" width=\"300\""
            )),
            "{embed}"
        );
        let link = md("[the report](report.pdf)");
        assert!(link.contains(&format!("<a href=\"insisst-attachment://localhost/{SHA}\" class=\"attachment\" rel=\"noopener noreferrer\">the report</a>")), "{link}");
        assert_eq!(
            md("![gone](missing.png)"),
            "<p><span class=\"missing-image\">gone</span></p>\n"
        );
        assert_eq!(
            md("[gone](missing.pdf)"),
            "<p><span class=\"dropped-link\">gone</span></p>\n"
        );
        // A resolver answering something that is not a sha256 resolves nothing.
        let bad = render("![x](photo.png)", &resolve, &|_| {
            Some("javascript:alert(1)".into())
        });
        assert!(!bad.contains("<img"), "{bad}");
    }

    #[test]
    fn external_links_are_marked_and_images_are_never_remote() {
        let html = md(
            "[site](https://example.org/a?b=1&c=2 \"T\") <https://example.org> <me@example.org>",
        );
        assert!(html.contains(r#"<a href="https://example.org/a?b=1&amp;c=2" class="external" title="T" rel="noopener noreferrer">site</a>"#), "{html}");
        assert!(
            html.contains(
                r#"<a href="mailto:me@example.org" class="external" rel="noopener noreferrer">"#
            ),
            "{html}"
        );
        let img = md("![tracker](https://evil.example/pixel.png)");
        assert_eq!(img, "<p><a href=\"https://evil.example/pixel.png\" class=\"external\" rel=\"noopener noreferrer\">tracker</a></p>\n");
    }

    #[test]
    fn dangerous_destinations_lose_their_link() {
        for dest in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java%0ascript:alert(1)",
            "&#106;avascript:alert(1)",
            "java&#x09;script:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "//evil.example/x",
            "#top",
            "C:\\Windows\\x.png",
        ] {
            for body in [format!("[x]({dest})"), format!("![x]({dest})")] {
                let html = md(&body);
                assert!(!html.contains("href"), "{body} -> {html}");
                assert!(!html.contains("src"), "{body} -> {html}");
            }
        }
        assert_eq!(
            classify("  https://x.org "),
            Dest::External("https://x.org".into())
        );
        assert_eq!(classify("https://"), Dest::Dropped);
    }

    #[test]
    fn raw_html_is_sanitised_and_cannot_make_links() {
        assert_eq!(md("<script>alert(1)</script>"), "");
        assert_eq!(
            md("a <b onclick=\"x()\">b</b> <kbd>K</kbd>"),
            "<p>a <b>b</b> <kbd>K</kbd></p>\n"
        );
        assert_eq!(
            md("<a href=\"https://example.org\">raw</a>"),
            "<p>raw</p>\n"
        );
        assert_eq!(
            md("x <A\nhref=\"https://example.org\">raw</A> y"),
            "<p>x raw y</p>\n"
        );
        assert_eq!(
            md("<abbr title=\"Hello\">H</abbr>"),
            "<p><abbr title=\"Hello\">H</abbr></p>\n"
        );
        assert_eq!(
            md("<input type=\"text\" value=\"x\"> <INPUT/>"),
            "<p> </p>\n"
        );
        assert_eq!(md("<img src=\"https://evil.example/x.png\">"), "<img>");
        assert_eq!(
            md("<div id=\"main\">x</div>"),
            "<div id=\"user-content-main\">x</div>"
        );
        assert_eq!(defuse_raw_tags("<a".into()).as_ref(), "<x-raw-a");
        assert_eq!(
            defuse_raw_tags("<Input\n>".into()).as_ref(),
            "<x-raw-Input\n>"
        );
        let harmless = "<abbr><ARTICLE><inputs><i>";
        assert_eq!(defuse_raw_tags(harmless.into()).as_ref(), harmless);
    }

    #[test]
    fn nesting_is_capped() {
        let deep = md(&(">".repeat(500) + "x"));
        assert_eq!(deep.matches("<blockquote>").count(), MAX_NESTING, "{deep}");
        assert!(deep.contains("<blockquote>\nx</blockquote>"), "{deep}");
        let raw = md(&("<div>".repeat(200) + "x"));
        assert_eq!(raw.matches("<div>").count(), MAX_RAW_HTML_NESTING, "{raw}");
        assert!(raw.contains("&lt;div&gt;"), "{raw}");
        // Closed and self-closing elements do not add up.
        let flat = md(&"<span>a</span><br><td>x\n".repeat(500));
        assert!(!flat.contains("&lt;span"), "{flat}");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            attachment_url(SHA).unwrap(),
            format!("insisst-attachment://localhost/{SHA}")
        );
        assert_eq!(attachment_url("abc"), None);
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
        assert_eq!(
            image_size("300x200").unwrap(),
            " width=\"300\" height=\"200\""
        );
        assert_eq!(image_size("big"), None);
        assert_eq!(escape_href("https://x/a b\"<"), "https://x/a%20b%22%3C");
    }
}
