//! How text becomes terms: an exact analyzer (lower-cased, diacritics kept), a folded one
//! (ASCII folding), and one stemming analyzer per language (stem, then fold, so that Polish
//! `życia` and `zycie` meet), and the detection of a record's language.

use std::borrow::Cow;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
};

pub const EXACT: &str = "insisst_exact";
pub const FOLDED: &str = "insisst_folded";

/// The languages with a stemmer, by ISO 639-1 code.
pub const STEMMED_LANGUAGES: [&str; 6] = ["en", "nl", "da", "fi", "cs", "pl"];

pub fn stem_analyzer_name(lang: &str) -> String {
    format!("insisst_stem_{lang}")
}

fn base() -> TextAnalyzerBuilder {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .dynamic()
}

/// Registers every analyzer with `index`.
pub fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(EXACT, base().build());
    tokenizers.register(FOLDED, base().filter_dynamic(AsciiFoldingFilter).build());
    for lang in STEMMED_LANGUAGES {
        tokenizers.register(&stem_analyzer_name(lang), stem_analyzer(lang));
    }
}

fn stem_analyzer(lang: &str) -> TextAnalyzer {
    let builtin = |l: Language| {
        base()
            .filter_dynamic(Stemmer::new(l))
            .filter_dynamic(AsciiFoldingFilter)
            .build()
    };
    let snowball = |f: SnowballFilter| {
        base()
            .filter_dynamic(f)
            .filter_dynamic(AsciiFoldingFilter)
            .build()
    };
    match lang {
        "en" => builtin(Language::English),
        "nl" => builtin(Language::Dutch),
        "da" => builtin(Language::Danish),
        "fi" => builtin(Language::Finnish),
        "cs" => snowball(SnowballFilter(
            tantivy_stemmers::algorithms::czech_dolamic_light,
        )),
        "pl" => snowball(SnowballFilter(tantivy_stemmers::algorithms::polish_yarovoy)),
        _ => base().filter_dynamic(AsciiFoldingFilter).build(),
    }
}

/// The terms `analyzer` makes of `text`.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The language of `text` if it is one we stem and detection is sure; short texts are not.
pub fn detect_language(text: &str) -> Option<&'static str> {
    if text.chars().filter(|c| c.is_alphabetic()).count() < 40 {
        return None;
    }
    let detector = whatlang::Detector::with_allowlist(vec![
        whatlang::Lang::Eng,
        whatlang::Lang::Nld,
        whatlang::Lang::Dan,
        whatlang::Lang::Fin,
        whatlang::Lang::Ces,
        whatlang::Lang::Pol,
    ]);
    // Detection over the first few kilobytes is as good as over all of it, and cheaper.
    let sample: String = text.chars().take(2_000).collect();
    let info = detector.detect(&sample)?;
    if !info.is_reliable() {
        return None;
    }
    Some(match info.lang() {
        whatlang::Lang::Eng => "en",
        whatlang::Lang::Nld => "nl",
        whatlang::Lang::Dan => "da",
        whatlang::Lang::Fin => "fi",
        whatlang::Lang::Ces => "cs",
        whatlang::Lang::Pol => "pl",
        _ => return None,
    })
}

/// A Snowball algorithm from tantivy-stemmers (Czech, Polish) as a filter of tantivy 0.27:
/// that crate is built on an older tokenizer API, so we take its algorithms and not its filter.
#[derive(Clone, Copy)]
pub struct SnowballFilter(pub fn(&str) -> Cow<'_, str>);

impl TokenFilter for SnowballFilter {
    type Tokenizer<T: Tokenizer> = SnowballTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SnowballTokenizer<T> {
        SnowballTokenizer {
            algorithm: self.0,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct SnowballTokenizer<T> {
    algorithm: fn(&str) -> Cow<'_, str>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SnowballTokenizer<T> {
    type TokenStream<'a> = SnowballStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SnowballStream {
            algorithm: self.algorithm,
            tail: self.inner.token_stream(text),
        }
    }
}

pub struct SnowballStream<S> {
    algorithm: fn(&str) -> Cow<'_, str>,
    tail: S,
}

impl<S: TokenStream> TokenStream for SnowballStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Cow::Owned(stemmed) = (self.algorithm)(&token.text) {
            token.text = stemmed;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(name: &str, text: &str) -> Vec<String> {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        let mut a = index.tokenizers().get(name).unwrap();
        analyze(&mut a, text)
    }

    #[test]
    fn exact_keeps_diacritics_and_folded_drops_them() {
        assert_eq!(terms(EXACT, "Århus Życie"), vec!["århus", "życie"]);
        assert_eq!(terms(FOLDED, "Århus Życie"), vec!["arhus", "zycie"]);
    }

    #[test]
    fn inflected_forms_meet_their_base() {
        let same = |lang: &str, a: &str, b: &str| {
            let name = stem_analyzer_name(lang);
            assert_eq!(terms(&name, a), terms(&name, b), "{lang}: {a} / {b}");
        };
        same("nl", "gemeenten", "gemeente");
        same("fi", "innovaatioita", "innovaatio");
        same("da", "kommunerne", "kommune");
        same("pl", "życia", "życie");
        same("cs", "inovacemi", "inovace");
        same("en", "municipalities", "municipality");
    }

    #[test]
    fn detection_is_sure_only_with_enough_text() {
        assert_eq!(detect_language("Århus"), None);
        assert_eq!(
            detect_language("Deltagerne sammenlignede, hvordan partnerne inddrager borgerne i udviklingen af lokale tilbud."),
            Some("da")
        );
        assert_eq!(
            detect_language("Uczestnicy porównali, jak partnerzy angażują mieszkańców w projektowanie usług lokalnych."),
            Some("pl")
        );
    }
}
