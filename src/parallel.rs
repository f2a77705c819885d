//! Order-preserving parallel maps on scoped threads.
//!
//! What runs on them stays deterministic however many threads run: every output lands at its
//! input's index, and the work done per item does not depend on which thread does it. A
//! 100,000-camera plan spends most of its time in work that is independent camera by camera
//! (hashing snapshots, deriving requirements, translating settings, serialising), and site
//! machines have several cores.

/// Items per thread below which one thread does everything (spawning costs more).
const MIN_PER_THREAD: usize = 256;

/// How many threads to use: `requested`, or every core the process may use when 0.
pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    }
}

/// `items.iter().map(f).collect()`, the slice cut into one contiguous part per thread.
pub fn map<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_owned(threads, items.iter().collect(), |_, t| f(t))
}

/// `items.into_iter().enumerate().map(f).collect()`, each thread taking a contiguous part by
/// value.
pub fn map_owned<T: Send, R: Send>(
    threads: usize,
    mut items: Vec<T>,
    f: impl Fn(usize, T) -> R + Sync,
) -> Vec<R> {
    let parts = threads.min(items.len() / MIN_PER_THREAD).max(1);
    if parts == 1 {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect();
    }
    let size = items.len().div_ceil(parts);
    let mut chunks = Vec::with_capacity(parts);
    while items.len() > size {
        let tail = items.split_off(size);
        chunks.push(std::mem::replace(&mut items, tail));
    }
    chunks.push(items);
    let total = chunks.iter().map(Vec::len).sum();
    std::thread::scope(|scope| {
        let f = &f;
        let mut start = chunks[0].len();
        let mut it = chunks.into_iter();
        let first = it.next().unwrap_or_default();
        let rest: Vec<_> = it
            .map(|part| {
                let offset = start;
                start += part.len();
                scope.spawn(move || {
                    part.into_iter()
                        .enumerate()
                        .map(|(i, t)| f(offset + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(total);
        out.extend(first.into_iter().enumerate().map(|(i, t)| f(i, t)));
        for handle in rest {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Runs `work` on every job on `threads` threads and hands each result to `consume` in the
/// jobs' order, on the calling thread, as soon as it and every earlier one are done: a stream
/// (the plan written camera by camera) keeps its order and its bounded memory, and `consume`
/// (the writer) needs no `Send`. At most about three jobs per thread are in flight. The
/// first error from `consume` stops the run and is returned; a panic in `work` reaches the
/// caller.
pub fn pipeline<J: Send, R: Send, E>(
    threads: usize,
    jobs: impl Iterator<Item = J> + Send,
    work: impl Fn(J) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::mpsc::{Receiver, sync_channel};
    use std::sync::{Arc, Mutex};
    if threads <= 1 {
        for job in jobs {
            consume(work(job))?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        // Each job travels with the sender of its own one-result channel; the receivers go to
        // the consumer in job order.
        let (order_tx, order_rx) = sync_channel::<Receiver<R>>(2 * threads);
        let (job_tx, job_rx) = sync_channel(threads);
        let feeder = scope.spawn(move || {
            for job in jobs {
                let (tx, rx) = sync_channel(1);
                if order_tx.send(rx).is_err() || job_tx.send((job, tx)).is_err() {
                    // The consumer or every worker has stopped.
                    return;
                }
            }
        });
        // Shared by the workers and dropped with the last of them, so a feeder left with
        // jobs stops instead of waiting for takers.
        let job_rx = Arc::new(Mutex::new(job_rx));
        let work = &work;
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            workers.push(scope.spawn(move || {
                loop {
                    let next = job_rx.lock().map_or(None, |rx| rx.recv().ok());
                    let Some((job, tx)) = next else { return };
                    // A result nobody waits for any more (the consumer stopped) is dropped.
                    let _ = tx.send(work(job));
                }
            }));
        }
        drop(job_rx);
        // Moved in, so the order channel closes when consuming ends, early or not.
        let consumed = (move || {
            for rx in order_rx {
                match rx.recv() {
                    Ok(result) => consume(result)?,
                    // Its worker panicked: the scope re-raises the panic when it joins.
                    Err(_) => break,
                }
            }
            Ok(())
        })();
        // Joined here so a worker's panic reaches the caller as it was raised.
        for handle in workers.into_iter().chain([feeder]) {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        consumed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_output_lands_at_its_input_s_index_whatever_the_thread_count() {
        for n in [0, 1, 255, 256, 511, 512, 1000, 4099] {
            let items: Vec<u64> = (0..n as u64).collect();
            let want: Vec<u64> = items.iter().map(|x| x * 3 + 1).collect();
            let want_owned: Vec<(usize, u64)> = items
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x * 3 + 1))
                .collect();
            for t in [1, 2, 3, 7, 16] {
                assert_eq!(
                    map(t, &items, |x| x * 3 + 1),
                    want,
                    "{n} items, {t} threads"
                );
                assert_eq!(
                    map_owned(t, items.clone(), |i, x| (i, x * 3 + 1)),
                    want_owned,
                    "{n} items, {t} threads"
                );
            }
        }
    }

    #[test]
    fn a_pipeline_hands_results_over_in_job_order() {
        for t in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            // Later jobs are quicker, so workers finish out of order.
            let r: Result<(), ()> = pipeline(
                t,
                0..200u64,
                |j| {
                    std::thread::sleep(std::time::Duration::from_micros((200 - j) * 5));
                    j * 2
                },
                |r| {
                    seen.push(r);
                    Ok(())
                },
            );
            assert_eq!(r, Ok(()));
            assert_eq!(
                seen,
                (0..200).map(|j| j * 2).collect::<Vec<_>>(),
                "{t} threads"
            );
        }
    }

    #[test]
    fn a_consumer_error_stops_the_pipeline_and_is_returned() {
        for t in [1, 2, 4] {
            let mut seen = 0;
            let r = pipeline(
                t,
                0..100_000u32,
                |j| j,
                |j| {
                    seen += 1;
                    if j == 10 {
                        Err(format!("full at {j}"))
                    } else {
                        Ok(())
                    }
                },
            );
            assert_eq!(r, Err("full at 10".to_owned()), "{t} threads");
            assert_eq!(seen, 11, "{t} threads");
        }
    }

    #[test]
    #[should_panic(expected = "job 7")]
    fn a_panic_in_a_pipeline_worker_reaches_the_caller() {
        let _: Result<(), ()> = pipeline(
            2,
            0..1000u32,
            |j| {
                assert!(j != 7, "job {j}");
                j
            },
            |_| Ok(()),
        );
    }

    #[test]
    #[should_panic(expected = "item 3000")]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let items: Vec<u32> = (0..4000).collect();
        map(4, &items, |&x| {
            assert!(x != 3000, "item {x}");
            x
        });
    }
}
