//! Issue 10's must-show at CI size: 60 mock cameras of which 5 are hostile, one of each kind
//! (a namespace declaration bomb, service addresses on a credential collector, an impostor
//! relaying a real camera, passwords in stream URIs, terminal control sequences in the model;
//! see `support::hostile_fleet`). Every healthy camera is read completely, the bomb is that
//! camera's error, nothing reaches the collector, the impostor's claim is reported, and
//! neither a secret nor an escape reaches the inventory or a table. The 1,000-camera run is
//! `cargo bench --bench hostile_fleet`.

use std::net::Ipv4Addr;

use crate::support::hostile_fleet::{Kind, run};

#[tokio::test(flavor = "multi_thread")]
async fn hostile_fleet_every_healthy_camera_is_complete_and_the_hostile_ones_fail_alone() {
    let out = run(60, 5, Ipv4Addr::new(127, 0, 63, 1)).await;
    eprintln!(
        "{} cameras read in {:.1} s; hostile: {:?}",
        out.devices,
        out.wall.as_secs_f64(),
        out.hostile
            .iter()
            .map(|(k, (n, failed, _))| format!("{} {n} ({failed} failed)", k.name()))
            .collect::<Vec<_>>()
    );
    assert_eq!(out.healthy, 55);
    assert_eq!(
        out.healthy_complete, out.healthy,
        "healthy cameras with errors: {:?}",
        out.healthy_failures
    );
    let kinds: Vec<Kind> = out.hostile.keys().copied().collect();
    assert_eq!(
        kinds,
        [
            Kind::Bomb,
            Kind::Foreign,
            Kind::Spoof,
            Kind::Leaky,
            Kind::Ansi
        ]
    );
    // The bomb is its camera's error, naming the cause.
    let (count, failed, first) = &out.hostile[&Kind::Bomb];
    assert_eq!((*count, *failed), (1, 1));
    assert!(
        first.as_deref().is_some_and(|e| e.contains("not XML")),
        "{first:?}"
    );
    // The camera that sends its credentials elsewhere is read at its own origin only.
    assert_eq!(out.collected, 0, "requests reached the collector");
    // The impostor's serial is reported as claimed by two addresses.
    assert_eq!(out.spoofs_reported, 1);
    assert!(!out.secret_in_inventory, "a secret reached inventory.json");
    assert!(!out.escape_in_table, "an escape sequence reached a table");
}
