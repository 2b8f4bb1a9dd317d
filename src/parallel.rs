//! Two independent pieces of work at once, on the two cores reachdiff is measured on.
//!
//! This is the one place the pipeline forks: each stage stays sequential and
//! deterministic, and only hands a piece it does not depend on to [`join`]. It is not a
//! thread pool; plans' entries are parsed ahead by their own bounded pipeline
//! (`source::terraform_plan`), which needs a channel rather than a fork.

/// Runs `second` on another thread while `first` runs on this one, and returns both
/// results. A panic in either is carried on here, as if both had run on this thread.
pub(crate) fn join<A, B: Send>(
    first: impl FnOnce() -> A,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|scope| {
        let second = scope.spawn(second);
        let a = first();
        let b = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn both_results_in_order() {
        let v: Vec<u32> = (1..=10).collect();
        let (a, b) = join(|| v.iter().sum::<u32>(), || v.iter().product::<u32>());
        assert_eq!((a, b), (55, 3_628_800));
    }

    #[test]
    #[should_panic(expected = "from the second")]
    fn a_panic_on_the_other_thread_is_carried_on() {
        join(|| 1, || -> u32 { panic!("from the second") });
    }
}
