//! The rule that a front end's thread never takes a lock of the engine, checked in debug
//! builds (every test): the window marks its thread, and each lock of a session's shared
//! state, send queues and memory budget asserts that it is not on a marked thread. Release
//! builds check nothing.

use std::cell::Cell;

thread_local! {
    static FRONT_END: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as a front end's (the window's): from now on, in debug builds,
/// an engine lock taken on it panics.
pub fn mark_front_end_thread() {
    FRONT_END.with(|marked| marked.set(true));
}

/// Panics (debug builds) when called on a front end's thread: the engine takes its locks
/// only on its own threads and on threads that may wait (the command line's, tests').
pub(crate) fn assert_engine_thread() {
    debug_assert!(
        !FRONT_END.with(Cell::get),
        "a front end's thread took a lock of the engine"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(debug_assertions)]
    fn a_marked_thread_that_takes_an_engine_lock_panics_and_others_do_not() {
        assert_engine_thread();
        let marked = std::thread::spawn(|| {
            mark_front_end_thread();
            assert_engine_thread();
        });
        assert!(marked.join().is_err(), "the marked thread took a lock");
    }
}
