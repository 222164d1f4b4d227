//! Randomness for the games: the operating system's secure source in production, a script in
//! tests.

use std::collections::VecDeque;

/// A source of uniform random numbers for gambles, coin flips and duels.
pub trait Dice: Send {
    /// A number in `0..n`, each equally likely; 0 when `n` is 0 or 1.
    ///
    /// Errors: [`NoRandomness`] when the source has none to give; the game is then not played.
    fn below(&mut self, n: u32) -> Result<u32, NoRandomness>;
}

/// The dice's source gave no randomness (the operating system refused it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no randomness for the dice: {0}")]
pub struct NoRandomness(pub String);

/// Dice drawn from the operating system's secure random source (`getrandom`), without bias
/// (rejection sampling), so nobody can predict or steer a roll.
///
/// Should the operating system ever refuse randomness (it does not on any supported system:
/// Linux blocks until its pool is ready), the roll fails with [`NoRandomness`] rather than
/// falling back to something predictable: the game is refused, never played with dice a
/// viewer could foresee.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecureDice;

impl Dice for SecureDice {
    fn below(&mut self, n: u32) -> Result<u32, NoRandomness> {
        uniform_below(n, os_u32)
    }
}

/// Draws uniformly from `0..n` out of uniform 32-bit words: words past the largest multiple of
/// `n` are drawn again, so no result is more likely than another. 0 for `n` of 0 or 1, without
/// drawing.
pub fn uniform_below(
    n: u32,
    mut word: impl FnMut() -> Result<u32, NoRandomness>,
) -> Result<u32, NoRandomness> {
    if n <= 1 {
        return Ok(0);
    }
    let n = u64::from(n);
    let span = 1u64 << 32;
    let limit = span - span % n;
    loop {
        let x = u64::from(word()?);
        if x < limit {
            // x % n < n <= u32::MAX.
            return Ok(u32::try_from(x % n).unwrap_or(0));
        }
    }
}

fn os_u32() -> Result<u32, NoRandomness> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
    Ok(u32::from_le_bytes(bytes))
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
    fn below(&mut self, n: u32) -> Result<u32, NoRandomness> {
        let roll = self.script.pop_front().unwrap_or(0);
        Ok(if n == 0 { 0 } else { roll % n })
    }
}

/// Dice with no randomness to give, for tests of what a game does without it.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyDice;

impl Dice for EmptyDice {
    fn below(&mut self, n: u32) -> Result<u32, NoRandomness> {
        uniform_below(n, || Err(NoRandomness("the test's dice are empty".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[u32]) -> impl FnMut() -> Result<u32, NoRandomness> + '_ {
        let mut it = list.iter();
        move || Ok(it.next().copied().unwrap_or(0))
    }

    #[test]
    fn uniform_below_rejects_the_biased_tail_and_stays_in_range() {
        // 2^32 % 3 == 1, so the largest word is the one biased value: drawn again.
        assert_eq!(uniform_below(3, words(&[u32::MAX, 7])), Ok(1));
        assert_eq!(
            uniform_below(3, words(&[u32::MAX - 1])),
            Ok((u32::MAX - 1) % 3)
        );
        assert_eq!(uniform_below(0, words(&[5])), Ok(0));
        assert_eq!(uniform_below(1, words(&[5])), Ok(0));
        // A power of two never rejects.
        assert_eq!(uniform_below(2, words(&[u32::MAX])), Ok(1));
    }

    #[test]
    fn a_source_without_randomness_fails_the_roll() {
        let failed = uniform_below(6, || Err(NoRandomness("refused".into())));
        assert_eq!(failed, Err(NoRandomness("refused".into())));
        assert!(EmptyDice.below(2).is_err());
        // Nothing is drawn for a roll with one outcome.
        assert_eq!(EmptyDice.below(1), Ok(0));
    }

    #[test]
    fn secure_dice_cover_the_range() {
        let mut dice = SecureDice;
        let mut seen = [false; 4];
        for _ in 0..400 {
            let r = dice.below(4).unwrap();
            assert!(r < 4);
            seen[r as usize] = true;
        }
        assert!(
            seen.iter().all(|s| *s),
            "400 rolls of a d4 missed a face: {seen:?}"
        );
        assert!((0..1000).all(|_| dice.below(100).unwrap() < 100));
        assert_eq!(dice.below(0), Ok(0));
    }

    #[test]
    fn scripted_dice_answer_their_script_then_zero() {
        let mut d = ScriptedDice::new([9, 150, 1]);
        assert_eq!(d.below(100), Ok(9));
        assert_eq!(d.below(100), Ok(50));
        assert_eq!(d.remaining(), 1);
        assert_eq!(d.below(2), Ok(1));
        assert_eq!(d.below(2), Ok(0));
        assert_eq!(d.remaining(), 0);
    }
}
