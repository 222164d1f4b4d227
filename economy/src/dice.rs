//! Randomness for the games: the operating system's secure source in production, a script in
//! tests.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of uniform random numbers for gambles, coin flips and duels.
pub trait Dice: Send {
    /// A number in `0..n`, each equally likely; 0 when `n` is 0 or 1.
    fn below(&mut self, n: u32) -> u32;
}

/// Dice drawn from the operating system's secure random source (`getrandom`), without bias
/// (rejection sampling), so nobody can predict or steer a roll.
///
/// Should the operating system ever refuse randomness (it does not on any supported system:
/// Linux blocks until its pool is ready), the failure is logged as an error and the roll falls
/// back to a mix of the clock and a counter, so a chat command never crashes the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecureDice;

impl Dice for SecureDice {
    fn below(&mut self, n: u32) -> u32 {
        uniform_below(n, os_u32)
    }
}

/// Draws uniformly from `0..n` out of uniform 32-bit words: words past the largest multiple of
/// `n` are drawn again, so no result is more likely than another.
fn uniform_below(n: u32, mut word: impl FnMut() -> u32) -> u32 {
    if n <= 1 {
        return 0;
    }
    let n = u64::from(n);
    let span = 1u64 << 32;
    let limit = span - span % n;
    loop {
        let x = u64::from(word());
        if x < limit {
            // x % n < n <= u32::MAX.
            return u32::try_from(x % n).unwrap_or(0);
        }
    }
}

fn os_u32() -> u32 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u32::from_le_bytes(bytes),
        Err(e) => {
            tracing::error!(error = %e, "the system random source failed; rolling from the clock");
            fallback_u32()
        }
    }
}

/// A last resort when the operating system has no randomness: the clock's nanoseconds and a
/// counter through splitmix64.
fn fallback_u32() -> u32 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = nanos
        .wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u32
}

/// Dice that answer a fixed script, for tests: each roll takes the next number (reduced below
/// `n`); once the script is used up every roll answers 0.
#[derive(Debug, Clone, Default)]
pub struct ScriptedDice {
    script: VecDeque<u32>,
}

impl ScriptedDice {
    /// Dice answering `rolls` in order.
    pub fn new(rolls: impl IntoIterator<Item = u32>) -> Self {
        ScriptedDice {
            script: rolls.into_iter().collect(),
        }
    }

    /// How many scripted rolls are left.
    pub fn remaining(&self) -> usize {
        self.script.len()
    }
}

impl Dice for ScriptedDice {
    fn below(&mut self, n: u32) -> u32 {
        let roll = self.script.pop_front().unwrap_or(0);
        if n == 0 { 0 } else { roll % n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_below_rejects_the_biased_tail_and_stays_in_range() {
        // 2^32 % 3 == 1, so the largest word is the one biased value: drawn again.
        let mut words = [u32::MAX, 7].into_iter();
        assert_eq!(uniform_below(3, || words.next().unwrap_or(0)), 1);
        assert_eq!(words.next(), None, "the biased word was rejected, 7 used");
        let mut words = [u32::MAX - 1].into_iter();
        assert_eq!(
            uniform_below(3, || words.next().unwrap_or(0)),
            (u32::MAX - 1) % 3
        );
        assert_eq!(uniform_below(0, || 5), 0);
        assert_eq!(uniform_below(1, || 5), 0);
        // A power of two never rejects.
        assert_eq!(uniform_below(2, || u32::MAX), 1);
    }

    #[test]
    fn secure_dice_cover_the_range() {
        let mut dice = SecureDice;
        let mut seen = [false; 4];
        for _ in 0..400 {
            let r = dice.below(4);
            assert!(r < 4);
            seen[r as usize] = true;
        }
        assert!(
            seen.iter().all(|s| *s),
            "400 rolls of a d4 missed a face: {seen:?}"
        );
        assert!((0..1000).all(|_| dice.below(100) < 100));
        assert_eq!(dice.below(0), 0);
    }

    #[test]
    fn the_fallback_varies() {
        let a: Vec<u32> = (0..8).map(|_| fallback_u32()).collect();
        assert!(a.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn scripted_dice_answer_their_script_then_zero() {
        let mut d = ScriptedDice::new([9, 150, 1]);
        assert_eq!(d.below(100), 9);
        assert_eq!(d.below(100), 50);
        assert_eq!(d.remaining(), 1);
        assert_eq!(d.below(2), 1);
        assert_eq!(d.below(2), 0);
        assert_eq!(d.remaining(), 0);
    }
}
