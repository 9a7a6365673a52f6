//! The demo workspace: a realistic, deterministic set of records for first starts,
//! screenshots and benchmarks (targets.md, "The benchmark workspace").
//!
//! The mix follows what people keep: mostly notes and sessions, fewer questions, contacts,
//! methods and evaluations; markdown bodies of 0.5–8 KB in the six languages with their
//! diacritics; tags, links, wiki links, agendas, and a few attachments. The same seed gives
//! the same titles, bodies, ids and links.

use crate::error::Result;
use crate::kind::Kind;
use crate::store::{Record, Workspace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// Records written per transaction: large enough to be fast, small enough that the WAL stays
/// modest and a crash loses little.
const BATCH: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub created: Vec<(Kind, u64)>,
    pub total: u64,
}

struct Lang {
    code: &'static str,
    sentences: &'static [&'static str],
    topics: &'static [&'static str],
    headings: &'static [&'static str],
    names: &'static [&'static str],
    city: &'static [&'static str],
    tz: &'static str,
    country: &'static str,
}

const LANGS: &[Lang] = &[
    Lang {
        code: "en",
        sentences: &[
            "Participants compared how each partner involves citizens in the design of local services.",
            "The peer exchange showed that small municipalities need lighter tools for co-creation.",
            "We agreed to test the capacity-building toolkit with two new organisations before the next meeting.",
            "Several experts stressed that social innovation needs patient funding and room for failure.",
            "The group mapped the societal pentagon and found that business partners were missing from most projects.",
            "A facilitator summarised the discussion: scaling is less about copying models than about adapting principles.",
            "Evaluation data from the last training suggests that follow-up coaching doubles the use of new methods.",
            "The case of the Dublin youth employment programme raised questions about long-term ownership.",
            "Public procurement rules remain a barrier when small social enterprises want to deliver services.",
            "The learning agenda was revisited and two questions received provisional answers.",
        ],
        topics: &["Co-creation with citizens", "Scaling social innovation", "Impact measurement", "Outcome-based funding", "Youth employment pathways", "Digital inclusion"],
        headings: &["Context", "What we heard", "Key insights", "Next steps", "Open questions"],
        names: &["Aoife Byrne", "Ciarán O'Sullivan", "Siobhán Murphy", "Liam Gallagher"],
        city: &["Dublin", "Cork", "Galway"],
        tz: "Europe/Dublin",
        country: "IE",
    },
    Lang {
        code: "nl",
        sentences: &[
            "De deelnemers bespraken hoe lokale besturen burgers vroeger kunnen betrekken bij het ontwerp van diensten.",
            "Tijdens de uitwisseling bleek dat kleinere gemeenten nood hebben aan eenvoudige co-creatie-instrumenten.",
            "We spraken af om de toolkit voor capaciteitsopbouw te testen met twee nieuwe organisaties.",
            "Sociale innovatie vraagt geduldige financiering en ruimte om te experimenteren, zo benadrukten de experten.",
            "Het maatschappelijk vijfluik werd in kaart gebracht: bedrijven ontbreken in de meeste projecten.",
            "Opschalen gaat minder over het kopiëren van modellen dan over het vertalen van principes naar een nieuwe context.",
            "De evaluatie van de vorige opleiding toont dat opvolging en coaching het gebruik van methodes verdubbelt.",
            "Overheidsopdrachten blijven een drempel voor kleine sociale ondernemingen in België.",
        ],
        topics: &["Co-creatie met burgers", "Opschaling van sociale innovatie", "Impactmeting", "Sociale economie in Vlaanderen", "Inclusieve arbeidsmarkt"],
        headings: &["Context", "Wat we hoorden", "Inzichten", "Volgende stappen", "Open vragen"],
        names: &["Els Vermeulen", "Pieter De Smedt", "Sofie Claeys", "Jeroen Van Damme"],
        city: &["Gent", "Brussel", "Antwerpen", "Leuven"],
        tz: "Europe/Brussels",
        country: "BE",
    },
    Lang {
        code: "fi",
        sentences: &[
            "Osallistujat vertailivat, miten kumppanit ottavat asukkaat mukaan palvelujen kehittämiseen.",
            "Vertaisoppimisen tapaamisessa todettiin, että pienet kunnat tarvitsevat kevyempiä yhteiskehittämisen välineitä.",
            "Sovimme, että valmennusaineistoa kokeillaan kahdessa uudessa organisaatiossa ennen seuraavaa tapaamista.",
            "Asiantuntijat korostivat, että sosiaalinen innovaatio tarvitsee kärsivällistä rahoitusta ja tilaa epäonnistua.",
            "Hyvinvointialueiden yhteistyö järjestöjen kanssa nousi keskustelun keskiöön.",
            "Vaikuttavuuden arviointi on vielä kesken, mutta ensimmäiset tulokset ovat lupaavia.",
            "Työpajassa käytiin läpi, miten elämänlaatua mitataan kestävästi ja yhdenvertaisesti.",
            "Päätöksenteon läpinäkyvyys lisää luottamusta ja yhteistyöhalukkuutta.",
        ],
        topics: &["Yhteiskehittäminen asukkaiden kanssa", "Vaikuttavuuden arviointi", "Hyvinvointialueet ja järjestöt", "Sosiaalinen innovaatio kunnissa"],
        headings: &["Tausta", "Mitä kuulimme", "Keskeiset havainnot", "Seuraavat askeleet", "Avoimet kysymykset"],
        names: &["Aino Mäkelä", "Jussi Häkkinen", "Päivi Särkkä", "Eero Lähteenmäki"],
        city: &["Helsinki", "Tampere", "Jyväskylä", "Oulu"],
        tz: "Europe/Helsinki",
        country: "FI",
    },
    Lang {
        code: "cs",
        sentences: &[
            "Účastníci porovnávali, jak jednotliví partneři zapojují občany do návrhu místních služeb.",
            "Z výměny zkušeností vyplynulo, že menší obce potřebují jednodušší nástroje pro spolutvorbu.",
            "Dohodli jsme se, že sadu nástrojů pro budování kapacit vyzkoušíme ve dvou nových organizacích.",
            "Odborníci zdůraznili, že sociální inovace potřebují trpělivé financování a prostor pro chyby.",
            "Ministerstvo představilo nové programy podpory sociálního podnikání v krajích.",
            "Kvalita života seniorů závisí na propojení zdravotních a sociálních služeb.",
            "Řešení musí vycházet z potřeb lidí, ne z požadavků dotačních výzev.",
            "Diskuse se zaměřila na měření dopadu a sdílení dat mezi úřady.",
        ],
        topics: &["Spolutvorba s občany", "Sociální podnikání v krajích", "Měření dopadu", "Kvalita života seniorů", "Dostupné bydlení"],
        headings: &["Souvislosti", "Co jsme slyšeli", "Hlavní poznatky", "Další kroky", "Otevřené otázky"],
        names: &["Jiří Dvořák", "Kateřina Nováková", "Tomáš Černý", "Lucie Říhová"],
        city: &["Praha", "Brno", "Ostrava", "Plzeň"],
        tz: "Europe/Prague",
        country: "CZ",
    },
    Lang {
        code: "pl",
        sentences: &[
            "Uczestnicy porównali, jak partnerzy angażują mieszkańców w projektowanie usług lokalnych.",
            "Wymiana doświadczeń pokazała, że mniejsze gminy potrzebują prostszych narzędzi współtworzenia.",
            "Ustaliliśmy, że zestaw narzędzi do budowania potencjału przetestujemy w dwóch nowych organizacjach.",
            "Eksperci podkreślali, że innowacje społeczne potrzebują cierpliwego finansowania i przestrzeni na błędy.",
            "Jakość życia mieszkańców zależy od współpracy samorządu z organizacjami pozarządowymi.",
            "Dyskusja dotyczyła tego, jak mierzyć wpływ społeczny bez nadmiernej biurokracji.",
            "Życie społeczne w małych miejscowościach opiera się na zaufaniu i lokalnych liderach.",
            "Zespół zaproponował pilotaż w Gdańsku i Łodzi przed końcem roku.",
        ],
        topics: &["Współtworzenie z mieszkańcami", "Pomiar wpływu społecznego", "Życie społeczne w gminach", "Ekonomia społeczna", "Partycypacja młodzieży"],
        headings: &["Kontekst", "Co usłyszeliśmy", "Najważniejsze wnioski", "Kolejne kroki", "Otwarte pytania"],
        names: &["Małgorzata Wójcik", "Paweł Żółkowski", "Agnieszka Łukasik", "Michał Krzyżanowski"],
        city: &["Warszawa", "Gdańsk", "Łódź", "Kraków"],
        tz: "Europe/Warsaw",
        country: "PL",
    },
    Lang {
        code: "da",
        sentences: &[
            "Deltagerne sammenlignede, hvordan partnerne inddrager borgerne i udviklingen af lokale tilbud.",
            "Erfaringsudvekslingen viste, at mindre kommuner har brug for enklere værktøjer til samskabelse.",
            "Vi aftalte at afprøve værktøjskassen til kapacitetsopbygning i to nye organisationer.",
            "Eksperterne understregede, at social innovation kræver tålmodig finansiering og plads til fejl.",
            "Studiebesøget i Århus gav indblik i, hvordan frivillige og kommunen arbejder sammen.",
            "Effektmåling skal give mening for både borgere, medarbejdere og beslutningstagere.",
            "Gruppen drøftede, hvordan gode løsninger spredes på tværs af regioner.",
            "Næste skridt er at samle erfaringerne i en kort håndbog på dansk og engelsk.",
        ],
        topics: &["Samskabelse med borgere", "Effektmåling", "Frivillighed og kommuner", "Spredning af gode løsninger", "Social økonomi i Norden"],
        headings: &["Baggrund", "Hvad vi hørte", "Vigtigste indsigter", "Næste skridt", "Åbne spørgsmål"],
        names: &["Søren Østergaard", "Mette Kjær", "Åse Bøgh", "Jens Æbelø"],
        city: &["Århus", "København", "Odense", "Aalborg"],
        tz: "Europe/Copenhagen",
        country: "DK",
    },
];

const METHODS: &[(&str, i64, &str)] = &[
    (
        "World café",
        60,
        "Small tables, rotating rounds, a host per table who summarises.",
    ),
    (
        "Fishbowl discussion",
        45,
        "An inner circle talks, the outer circle listens; chairs rotate.",
    ),
    (
        "Open space",
        90,
        "Participants set the agenda and move freely between topics.",
    ),
    (
        "1-2-4-All",
        20,
        "Silent reflection, pairs, fours, then the whole group.",
    ),
    (
        "Appreciative inquiry",
        75,
        "Discover, dream, design, deliver: start from what works.",
    ),
    (
        "Study visit debrief",
        30,
        "What did we see, what surprised us, what do we take home?",
    ),
    (
        "Learning agenda review",
        45,
        "Walk the open questions; record provisional answers and actions.",
    ),
    (
        "Check-in round",
        15,
        "Each person says one sentence about how they arrive.",
    ),
];

const TAGS: &[&str] = &[
    "co-creation",
    "scaling",
    "impact",
    "funding",
    "youth",
    "inclusion",
    "ageing",
    "housing",
    "employment",
    "digital",
    "procurement",
    "evaluation",
    "capacity-building",
    "policy",
];

struct Generator {
    rng: ChaCha8Rng,
    /// Ids come from their own stream, salted with the workspace's node id and change
    /// sequence: the same seed gives the same text everywhere, but never the same ids in two
    /// workspaces (they would collide when partners exchange bundles) or twice in one.
    id_rng: ChaCha8Rng,
    orgs: Vec<String>,
    contacts: Vec<String>,
    methods: Vec<String>,
    questions: Vec<String>,
    sessions: Vec<String>,
    notes: Vec<String>,
    titles: Vec<String>,
    counter: u64,
    /// Each question's state as generated: what the latest review must show.
    question_states: Vec<QuestionState>,
    /// Each held session's id and start, for reviews and evaluations dated by their session.
    session_starts: Vec<(String, String)>,
    /// How many reviews the plan makes, and how many are made: review k of n is taken at
    /// the k-th of n sessions in time order, so that the reviews make a learning history.
    reviews_planned: u64,
    reviews_made: u64,
    review_sessions: Vec<(String, String)>,
}

struct QuestionState {
    id: String,
    status: String,
    priority: String,
    owner: String,
    answer: Option<String>,
    /// The review (0..n) from which the question is on the agenda, and the one in which it
    /// reached its current status (answered, resolved or dropped).
    appears: u64,
    settles: u64,
}

impl Generator {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn lang(&mut self) -> &'static Lang {
        &LANGS[self.rng.random_range(0..LANGS.len())]
    }

    fn tags(&mut self) -> Vec<&'static str> {
        let n = self.rng.random_range(0..4);
        let mut out: Vec<&str> = (0..n).map(|_| *self.pick(TAGS)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A markdown body of roughly `target` bytes: headings, paragraphs, a list, and now and
    /// then a wiki link to an earlier record.
    fn body(&mut self, lang: &Lang, target: usize) -> String {
        let mut s = String::with_capacity(target + 256);
        let mut section = 0;
        while s.len() < target {
            s.push_str("## ");
            s.push_str(lang.headings[section % lang.headings.len()]);
            s.push_str("\n\n");
            section += 1;
            for _ in 0..self.rng.random_range(2..5) {
                s.push_str(self.pick::<&str>(lang.sentences));
                s.push(' ');
            }
            if !self.titles.is_empty() && self.rng.random_bool(0.3) {
                let t = self.titles[self.rng.random_range(0..self.titles.len())].clone();
                s.push_str(&format!("See also [[{t}]]."));
            }
            s.push_str("\n\n");
            if self.rng.random_bool(0.4) {
                for _ in 0..3 {
                    s.push_str("- ");
                    s.push_str(self.pick::<&str>(lang.sentences));
                    s.push('\n');
                }
                s.push('\n');
            }
        }
        s
    }

    /// Body sizes skewed towards the short end: most notes are short, a few are long.
    fn body_size(&mut self) -> usize {
        let x: f64 = self.rng.random();
        (500.0 + 7_500.0 * x * x * x) as usize
    }

    fn unique(&mut self, title: String) -> String {
        self.counter += 1;
        if self.rng.random_bool(0.5) {
            format!("{title} ({})", self.counter)
        } else {
            format!("{title} #{}", self.counter)
        }
    }
}

/// One id of `ids`, at random.
fn one(rng: &mut ChaCha8Rng, ids: &[String]) -> String {
    ids[rng.random_range(0..ids.len())].clone()
}

/// Up to `max` distinct ids of `ids`, at random.
fn some(rng: &mut ChaCha8Rng, ids: &[String], max: usize) -> Vec<String> {
    if ids.is_empty() {
        return vec![];
    }
    let n = rng.random_range(0..=max.min(ids.len()));
    let mut out: Vec<String> = (0..n).map(|_| one(rng, ids)).collect();
    out.sort();
    out.dedup();
    out
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Adds about `records` demo records to `ws`, deterministically from `seed`.
pub fn generate(ws: &mut Workspace, records: u64, seed: u64) -> Result<DemoSummary> {
    generate_with_progress(ws, records, seed, &mut |_, _| {})
}

/// As [`generate`], reporting `(done, total)` after every batch.
pub fn generate_with_progress(
    ws: &mut Workspace,
    records: u64,
    seed: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary> {
    let id_salt = {
        use sha2::Digest;
        let digest = sha2::Sha256::new()
            .chain_update(seed.to_le_bytes())
            .chain_update(ws.identity().node_id.as_bytes())
            .chain_update(ws.change_seq()?.to_le_bytes())
            .finalize();
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&digest);
        bytes
    };
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        id_rng: ChaCha8Rng::from_seed(id_salt),
        orgs: crate::partners::PARTNERS
            .iter()
            .map(|p| p.id.to_string())
            .collect(),
        contacts: vec![],
        methods: vec![],
        questions: vec![],
        sessions: vec![],
        notes: vec![],
        titles: vec![],
        counter: 0,
        question_states: vec![],
        session_starts: vec![],
        reviews_planned: 0,
        reviews_made: 0,
        review_sessions: vec![],
    };
    // The plan: kinds in a plausible mix, foundations (orgs, contacts, methods, questions)
    // first so that later records can point at them.
    let share = |pct: u64| (records * pct).div_ceil(100);
    let mut plan: Vec<(Kind, u64)> = vec![
        (Kind::Org, share(2)),
        (Kind::Contact, share(12)),
        (Kind::Method, share(3).min(METHODS.len() as u64 * 50)),
        (Kind::Question, share(6)),
        (Kind::Session, share(18)),
        (Kind::Evaluation, share(6)),
        (Kind::Review, share(1)),
    ];
    g.reviews_planned = share(1);
    let planned: u64 = plan.iter().map(|(_, n)| n).sum();
    plan.push((Kind::Note, records.saturating_sub(planned)));
    let total: u64 = plan.iter().map(|(_, n)| n).sum();
    let attachments = (records / 250).clamp(u64::from(records >= 20), 40);

    let mut created: Vec<(Kind, u64)> = vec![];
    let mut done = 0u64;
    for (kind, n) in plan {
        let mut left = n;
        while left > 0 {
            let batch = left.min(BATCH as u64);
            ws.write(|w| {
                for _ in 0..batch {
                    let content = make(&mut g, kind);
                    let id = demo_id(&mut g);
                    let record: Record = w.create_with_id(kind, &id, content)?;
                    remember(&mut g, &record);
                }
                Ok(())
            })?;
            left -= batch;
            done += batch;
            progress(done, total);
        }
        if n > 0 {
            created.push((kind, n));
        }
    }
    for i in 0..attachments {
        let Some(note) = g.notes.get(i as usize * 3).cloned() else {
            break;
        };
        let lang = g.lang();
        let csv = format!(
            "name,organisation,city\n{},{},{}\n{},{},{}\n",
            g.pick(lang.names),
            g.pick(TAGS),
            g.pick(lang.city),
            g.pick(lang.names),
            g.pick(TAGS),
            g.pick(lang.city)
        );
        let dir =
            tempfile::tempdir().map_err(|e| crate::Error::io("create a temporary folder", e))?;
        let path = dir.path().join(format!("participants-{}.csv", i + 1));
        std::fs::write(&path, csv)
            .map_err(|e| crate::Error::io(format!("write {}", path.display()), e))?;
        ws.attach(&note, &path)?;
    }
    if attachments > 0 {
        created.push((Kind::Attachment, attachments));
    }
    Ok(DemoSummary {
        total: created.iter().map(|(_, n)| n).sum(),
        created,
    })
}

/// A UUIDv7 from the seed alone: the demo's ids are the same on every run.
fn demo_id(g: &mut Generator) -> String {
    g.counter += 1;
    let mut random = [0u8; 10];
    g.id_rng.fill(&mut random);
    // 2026-01-01T00:00:00Z, one millisecond per record.
    let millis = 1_767_225_600_000 + g.counter;
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

fn remember(g: &mut Generator, r: &Record) {
    match r.kind {
        Kind::Question => {
            let n = g.reviews_planned.max(1);
            let appears = g.rng.random_range(0..n.div_ceil(2));
            let settles = g.rng.random_range(appears..n);
            g.question_states.push(QuestionState {
                id: r.id.clone(),
                status: r.str("status").unwrap_or("open").to_string(),
                priority: r.str("priority").unwrap_or("medium").to_string(),
                owner: r.str("owner_org").unwrap_or_default().to_string(),
                answer: r.str("provisional_answer").map(str::to_string),
                appears,
                settles,
            });
        }
        // Reviews and evaluations happen at sessions that took place.
        Kind::Session if r.str("status") == Some("held") => g.session_starts.push((
            r.id.clone(),
            r.str("starts_at").unwrap_or("2026-01-01T10:00").to_string(),
        )),
        _ => {}
    }
    let list = match r.kind {
        Kind::Org => &mut g.orgs,
        Kind::Contact => &mut g.contacts,
        Kind::Method => &mut g.methods,
        Kind::Question => &mut g.questions,
        Kind::Session => &mut g.sessions,
        Kind::Note => &mut g.notes,
        _ => return,
    };
    list.push(r.id.clone());
    if g.titles.len() < 2_000 {
        g.titles.push(r.title().to_string());
    }
}

/// A held session and its start, at random; any session if none was held (a tiny demo).
fn held_session(g: &mut Generator) -> (String, String) {
    if g.session_starts.is_empty() {
        let id = one(&mut g.rng, &g.sessions);
        return (id, "2026-01-01T10:00".to_string());
    }
    g.session_starts[g.rng.random_range(0..g.session_starts.len())].clone()
}

fn make(g: &mut Generator, kind: Kind) -> Map<String, Value> {
    let lang = g.lang();
    let tags = g.tags();
    match kind {
        Kind::Org => {
            let city = *g.pick(lang.city);
            let sector = *g.pick(crate::schema::SECTOR);
            let suffix = *g.pick(&[
                "Social Lab",
                "Community Foundation",
                "Innovation Hub",
                "Cooperative",
                "University Centre",
            ]);
            let title = g.unique(format!("{city} {suffix}"));
            obj(
                json!({"title": title, "country": lang.country, "sector": sector, "is_partner": false, "language": lang.code, "tags": tags}),
            )
        }
        Kind::Contact => {
            let name = *g.pick(lang.names);
            let title = g.unique(name.to_string());
            let basis = *g.pick(crate::schema::CONSENT_BASIS);
            let share = basis != "none" && g.rng.random_bool(0.7);
            let org = one(&mut g.rng, &g.orgs);
            let user = name.split(' ').next().unwrap_or("contact").to_lowercase();
            let email = format!("{}.{}@example.org", ascii(&user), g.counter);
            let expertise: Vec<&str> = (0..2).map(|_| *g.pick(TAGS)).collect();
            let sector = *g.pick(crate::schema::SECTOR);
            let role = *g.pick(&[
                "Researcher",
                "Policy officer",
                "Programme manager",
                "Facilitator",
                "Director",
                "Social entrepreneur",
            ]);
            obj(json!({
                "title": title, "email": email, "country": lang.country, "org_id": org,
                "role": role, "languages": [lang.code, "en"], "expertise": expertise,
                "sector": sector, "tags": tags,
                "consent": {"basis": basis, "recorded_at": "2026-01-15", "share_with_partners": share},
            }))
        }
        Kind::Method => {
            let (name, minutes, desc) = *g.pick(METHODS);
            let title = g.unique(name.to_string());
            obj(
                json!({"title": title, "body": desc, "minutes": minutes, "group_size": "8–40", "materials": "Flip charts, sticky notes, markers", "language": "en", "tags": tags}),
            )
        }
        Kind::Question => {
            let topic = *g.pick(lang.topics);
            let title = g.unique(format!("{topic}?"));
            let size = g.body_size() / 2;
            let body = g.body(lang, size.max(300));
            let status = *g.pick(crate::schema::QUESTION_STATUS);
            let priority = *g.pick(crate::schema::PRIORITY);
            let owner = g.pick(&crate::partners::PARTNERS).id;
            let mut q = json!({"title": title, "body": body, "status": status, "priority": priority, "theme": topic, "owner_org": owner, "language": lang.code, "tags": tags});
            if status != "open" {
                q["provisional_answer"] = json!(g.pick(lang.sentences));
            }
            obj(q)
        }
        Kind::Session => {
            let topic = *g.pick(lang.topics);
            let city = *g.pick(lang.city);
            let session_kind = *g.pick(crate::schema::SESSION_KIND);
            let title = g.unique(format!("{topic} — {city}"));
            let month = g.rng.random_range(1..=12);
            let day = g.rng.random_range(1..=28);
            let year = g.rng.random_range(2025..=2027);
            let hour = g.rng.random_range(8..=14);
            let starts = format!("{year}-{month:02}-{day:02}T{hour:02}:00");
            let days = if g.rng.random_bool(0.2) { 2 } else { 1 };
            let mut agenda = vec![];
            let mut minutes_total = 0;
            for d in 0..days {
                for b in 0..g.rng.random_range(3..7) {
                    let (name, minutes, _) = *g.pick(METHODS);
                    let mut block =
                        json!({"title": name, "minutes": minutes, "who": g.pick(lang.names)});
                    if d > 0 && b == 0 {
                        block["day_break"] = json!(true);
                    }
                    if !g.methods.is_empty() && g.rng.random_bool(0.5) {
                        block["method_id"] = json!(one(&mut g.rng, &g.methods));
                    }
                    minutes_total += minutes;
                    agenda.push(block);
                }
            }
            let end_hour = (hour + (minutes_total / 60).min(9)).min(23);
            let last_day = chrono::NaiveDate::from_ymd_opt(year, month, day)
                .map(|d| d + chrono::Duration::days(i64::from(days) - 1))
                .unwrap_or_default();
            let ends = format!("{}T{end_hour:02}:30", last_day.format("%Y-%m-%d"));
            let status = if year < 2026 {
                "held"
            } else {
                *g.pick(crate::schema::SESSION_STATUS)
            };
            let participants = some(&mut g.rng, &g.contacts, 6);
            let facilitators = some(&mut g.rng, &g.contacts, 2);
            let links = some(&mut g.rng, &g.questions, 3);
            let size = g.body_size();
            let body = g.body(lang, size);
            let host = g.pick(&crate::partners::PARTNERS).id;
            obj(json!({
                "title": title, "session_kind": session_kind, "status": status,
                "starts_at": starts, "ends_at": ends, "timezone": lang.tz,
                "venue": format!("{city}"), "host_org": host,
                "participants": participants, "facilitators": facilitators, "links": links,
                "headcount": {"government": g.rng.random_range(0..10), "non_profit": g.rng.random_range(0..15), "business": g.rng.random_range(0..5), "citizens": g.rng.random_range(0..20), "academia": g.rng.random_range(0..6)},
                "objectives": g.pick(lang.sentences), "agenda": agenda, "body": body,
                "outcomes": g.pick(lang.sentences), "language": lang.code, "tags": tags,
            }))
        }
        Kind::Evaluation => {
            let (session, starts) = held_session(g);
            let day = starts.get(..10).unwrap_or("2026-02-10").to_string();
            let level = *g.pick(&[
                "reaction",
                "reaction",
                "reaction",
                "learning",
                "behaviour",
                "results",
            ]);
            let title = g.unique(format!("Evaluation: {level}"));
            let mut e = json!({
                "title": title, "session_id": session, "level": level, "recorded_at": day,
                "comments": g.pick(lang.sentences), "language": lang.code,
            });
            match level {
                "reaction" => {
                    let mut ratings = Map::new();
                    for item in crate::evaluation::REACTION_ITEMS {
                        ratings.insert((*item).into(), json!(g.rng.random_range(2..=5)));
                    }
                    e["ratings"] = Value::Object(ratings);
                    if g.rng.random_bool(0.1) {
                        let due = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                            .map(|d| d + chrono::Duration::days(120))
                            .unwrap_or_default();
                        e["follow_up_due"] = json!(due.format("%Y-%m-%d").to_string());
                    }
                }
                "learning" => {
                    let before = g.rng.random_range(1..=3);
                    let after = g.rng.random_range(before..=5);
                    e["ratings"] = json!({"before": before, "after": after});
                }
                _ => {}
            }
            obj(e)
        }
        Kind::Review => {
            if g.review_sessions.is_empty() {
                // The sessions the reviews are taken at, in time order.
                let n = g.reviews_planned.max(1) as usize;
                let mut chosen: Vec<(String, String)> = (0..n).map(|_| held_session(g)).collect();
                chosen.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                g.review_sessions = chosen;
            }
            let k = g.reviews_made;
            g.reviews_made += 1;
            let (session, starts) =
                g.review_sessions[(k as usize).min(g.review_sessions.len() - 1)].clone();
            let last = g.reviews_planned.max(1) - 1;
            // Each question walks to its current status: open until it settles (answered,
            // resolved or dropped); an open question that never settles persists.
            let entries: Vec<Value> = g
                .question_states
                .iter()
                .filter(|q| q.appears <= k)
                .take(60)
                .map(|q| {
                    let settled = k >= q.settles || k == last;
                    let status = match q.status.as_str() {
                        "resolved" if settled => "resolved",
                        "dropped" if settled => "dropped",
                        "resolved" if k + 1 >= q.settles => "provisional",
                        "provisional" if settled => "provisional",
                        _ => "open",
                    };
                    let mut e =
                        json!({"question_id": q.id, "status": status, "priority": q.priority});
                    if !q.owner.is_empty() {
                        e["owner_org"] = json!(q.owner);
                    }
                    if status != "open" {
                        if let Some(a) = &q.answer {
                            e["provisional_answer"] = json!(a);
                        }
                    }
                    e
                })
                .collect();
            let taken_at = format!("{}T16:00:00Z", starts.get(..10).unwrap_or("2026-03-12"));
            let title = g.unique("Learning agenda review".to_string());
            obj(
                json!({"title": title, "session_id": session, "taken_at": taken_at, "remarks": g.pick(lang.sentences), "entries": entries, "language": "en"}),
            )
        }
        Kind::Note | Kind::Attachment => {
            let topic = *g.pick(lang.topics);
            let note_kind = *g.pick(crate::schema::NOTE_KIND);
            let heading = *g.pick(lang.headings);
            let title = g.unique(format!("{topic}: {heading}"));
            let size = g.body_size();
            let body = g.body(lang, size);
            let mut n = json!({"title": title, "body": body, "note_kind": note_kind, "language": lang.code, "tags": tags});
            if !g.sessions.is_empty() && g.rng.random_bool(0.5) {
                n["session_id"] = json!(one(&mut g.rng, &g.sessions));
            }
            obj(n)
        }
    }
}

/// A plain-ASCII form of a name for demo e-mail addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'ä' | 'å' | 'à' => 'a',
            'æ' => 'a',
            'č' | 'ć' => 'c',
            'ď' => 'd',
            'é' | 'ě' | 'ę' => 'e',
            'í' => 'i',
            'ł' => 'l',
            'ň' | 'ń' => 'n',
            'ó' | 'ö' | 'ø' => 'o',
            'ř' => 'r',
            'š' | 'ś' => 's',
            'ť' => 't',
            'ú' | 'ů' | 'ü' => 'u',
            'ý' => 'y',
            'ž' | 'ż' | 'ź' => 'z',
            c if c.is_ascii_alphanumeric() => c,
            _ => 'x',
        })
        .collect()
}
