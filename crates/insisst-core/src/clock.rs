//! Time and randomness enter the core here, as parameters: production uses the system clock
//! and the OS's random source; tests use a fixed or stepping clock and a seeded generator, so
//! ids, keys and timestamps are reproducible.

use chrono::{DateTime, Duration, Utc};
use rand::{RngCore, SeedableRng};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Random bytes for ids and keys.
pub trait Entropy: Send {
    fn fill(&mut self, buf: &mut [u8]);
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: starts at a given instant and advances by `step` on every reading, so
/// successive writes get distinct, ordered timestamps.
#[derive(Debug)]
pub struct FixedClock {
    next: Mutex<DateTime<Utc>>,
    step: Duration,
}

impl FixedClock {
    pub fn new(start: DateTime<Utc>, step: Duration) -> Self {
        FixedClock {
            next: Mutex::new(start),
            step,
        }
    }

    /// 2026-01-05T09:00:00Z, one second per reading.
    pub fn default_for_tests() -> Self {
        let start = DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .expect("valid constant")
            .with_timezone(&Utc);
        FixedClock::new(start, Duration::seconds(1))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let now = *next;
        *next = now + self.step;
        now
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        // The OS random source failing is not something a workspace can recover from.
        getrandom::fill(buf).expect("the operating system's random source is unavailable");
    }
}

/// Deterministic randomness for tests and the demo generator.
pub struct SeededEntropy(rand_chacha::ChaCha20Rng);

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        SeededEntropy(rand_chacha::ChaCha20Rng::seed_from_u64(seed))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }
}

/// A UUIDv7 for `now` with random bits from `entropy`.
pub fn new_id(now: DateTime<Utc>, entropy: &mut dyn Entropy) -> uuid::Uuid {
    let mut random = [0u8; 10];
    entropy.fill(&mut random);
    let millis = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}
