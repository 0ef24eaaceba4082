//! The demo generator's randomness: a small seeded generator (SplitMix64) and UUIDv7-shaped ids
//! built from it and the simulated time.
//!
//! A hand-written generator rather than a crate's: its output is fixed by this file alone, so the
//! same seed gives the same history on every machine and after every dependency upgrade.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A seeded pseudo-random generator (SplitMix64). Not for secrets: only for demo histories.
#[derive(Clone, Debug)]
pub struct DemoRng {
    state: u64,
}

impl DemoRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent generator derived from this seed and a label (e.g. a tenant's index), so
    /// that parts of a history can be generated separately and still deterministically.
    pub fn derive(seed: u64, label: u64) -> Self {
        let mut mixer = Self::new(seed ^ label.wrapping_mul(0xA24B_AED4_963E_E407));
        let _ = mixer.next_u64();
        Self::new(mixer.next_u64() ^ label)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift: unbiased enough for demo data, and branch-free.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len` (0 when it is empty).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (0.0 to 1.0).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice, or `None` for an empty one.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.index(items.len()))
        }
    }

    /// An index chosen with the given weights (all zero or empty: 0).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if roll < w {
                return i;
            }
            roll -= w;
        }
        0
    }

    /// A UUIDv7-shaped id: the simulated time in its timestamp, the rest from this generator,
    /// so ids sort by simulated time and are reproducible.
    pub fn uuid_v7(&mut self, at: DateTime<Utc>) -> Uuid {
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        random[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let mut a = DemoRng::new(7);
        let mut b = DemoRng::new(7);
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(DemoRng::new(8).next_u64(), xs[0]);
    }

    #[test]
    fn derived_generators_differ_by_label() {
        assert_ne!(
            DemoRng::derive(1, 1).next_u64(),
            DemoRng::derive(1, 2).next_u64()
        );
        assert_eq!(
            DemoRng::derive(1, 2).next_u64(),
            DemoRng::derive(1, 2).next_u64()
        );
    }

    #[test]
    fn ids_are_version_7_and_carry_the_simulated_time() {
        let at = DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z")
            .expect("a valid time")
            .with_timezone(&Utc);
        let id = DemoRng::new(1).uuid_v7(at);
        assert_eq!(id.get_version_num(), 7);
        let (secs, _) = id.get_timestamp().expect("v7 has a timestamp").to_unix();
        assert_eq!(secs as i64, at.timestamp());
    }

    #[test]
    fn below_stays_in_range_and_weighted_respects_zero_weights() {
        let mut rng = DemoRng::new(3);
        for _ in 0..1000 {
            assert!(rng.below(5) < 5);
            assert_eq!(rng.weighted(&[0, 3, 0]), 1);
        }
    }
}
