//! Where the games' dice come from: the operating system's secure source
//! ([`economy::SecureDice`]) in production, or, for tests only, dice seeded by a number and the
//! delivery's id, so a recorded script of deliveries plays out the same on every run, in any
//! order and on any backend.

use datastore::DeliveryId;
use economy::{Dice, NoRandomness, SecureDice, uniform_below};
use sha2::{Digest, Sha256};

/// How a delivery's dice are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiceSource {
    /// The operating system's secure random source: nobody can predict or steer a roll.
    #[default]
    Secure,
    /// Predictable dice, from this seed and each delivery's id (`--kick-dice-seed`): for tests
    /// only, since anyone who knows the seed knows every roll.
    Seeded(u64),
}

impl DiceSource {
    /// The dice for the delivery `id`.
    pub fn for_delivery(&self, id: &DeliveryId) -> Box<dyn Dice> {
        match *self {
            DiceSource::Secure => Box::new(SecureDice),
            DiceSource::Seeded(seed) => Box::new(SeededDice::new(seed, id)),
        }
    }
}

/// Dice whose rolls are SHA-256 of the seed, the delivery id and a counter: the same seed and
/// id roll the same numbers, uniformly (rejection sampling).
#[derive(Debug, Clone)]
pub struct SeededDice {
    key: [u8; 32],
    counter: u64,
}

impl SeededDice {
    /// Dice for delivery `id` under `seed`.
    pub fn new(seed: u64, id: &DeliveryId) -> Self {
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update(id.0.as_bytes());
        SeededDice {
            key: h.finalize().into(),
            counter: 0,
        }
    }

    fn word(&mut self) -> u32 {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(self.counter.to_le_bytes());
        self.counter += 1;
        let out = h.finalize();
        u32::from_le_bytes([out[0], out[1], out[2], out[3]])
    }
}

impl Dice for SeededDice {
    fn below(&mut self, n: u32) -> Result<u32, NoRandomness> {
        uniform_below(n, || Ok(self.word()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_dice_repeat_per_seed_and_id_and_differ_otherwise() {
        let id = DeliveryId("01J-delivery".into());
        let roll = |seed, id: &DeliveryId| {
            let mut d = DiceSource::Seeded(seed).for_delivery(id);
            (0..16).map(|_| d.below(100).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(roll(7, &id), roll(7, &id));
        assert_ne!(roll(7, &id), roll(8, &id));
        assert_ne!(roll(7, &id), roll(7, &DeliveryId("other".into())));
        let mut d = SeededDice::new(1, &id);
        let mut seen = [false; 6];
        for _ in 0..600 {
            let r = d.below(6).unwrap();
            seen[r as usize] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
        assert_eq!(d.below(0), Ok(0));
        assert_eq!(d.below(1), Ok(0));
    }
}
