//! Identities claimed by more than one address: an endpoint reference, a serial number or a
//! MAC that two hosts answer for. One of them is an impostor (or a misconfigured clone), and
//! nothing matched by that identity (credentials above all) may go to either until a person
//! has looked. Reported in `devices.json` and `inventory.json`, never merged away.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One identity claimed by more than one address.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Conflict {
    /// What is claimed: `endpoint:<urn>`, `serial:<serial>` or `mac:<aa:bb:..>` (the forms
    /// of device ids and credentials `match` values).
    pub claim: String,
    /// Every address that claims it (hosts as reached), sorted.
    pub addresses: Vec<String>,
}

/// The conflicts among `(claim, address)` pairs: each claim made from more than one distinct
/// address, sorted by claim. The same address repeating a claim is no conflict.
pub fn conflicts<'a>(claims: impl IntoIterator<Item = (String, &'a str)>) -> Vec<Conflict> {
    let mut by_claim: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (claim, address) in claims {
        let addresses = by_claim.entry(claim).or_default();
        if !addresses.iter().any(|a| a == address) {
            addresses.push(address.to_owned());
        }
    }
    by_claim
        .into_iter()
        .filter(|(_, a)| a.len() > 1)
        .map(|(claim, mut addresses)| {
            addresses.sort();
            Conflict { claim, addresses }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_from_two_addresses_is_a_conflict_and_a_repeat_is_not() {
        let c = conflicts([
            ("serial:A".to_owned(), "10.0.0.2"),
            ("serial:A".to_owned(), "10.0.0.2"),
            ("serial:B".to_owned(), "10.0.0.3"),
            ("serial:B".to_owned(), "10.0.0.1"),
            ("mac:aa".to_owned(), "10.0.0.1"),
        ]);
        assert_eq!(
            c,
            [Conflict {
                claim: "serial:B".into(),
                addresses: vec!["10.0.0.1".into(), "10.0.0.3".into()],
            }]
        );
    }
}
