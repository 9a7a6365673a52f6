//! Who a workspace is: its node id, its owner (member and organisation) and the Ed25519 key
//! pair that signs its bundles. The secret key lives in the database (so a backup carries it:
//! restoring a backup moves a workspace) and is never part of an export.

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub member: String,
    pub org_id: String,
    pub org_name: String,
}

#[derive(Clone)]
pub struct Identity {
    pub node_id: String,
    pub owner: Owner,
    pub signing_key: SigningKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key, not even in a debug log.
        f.debug_struct("Identity")
            .field("node_id", &self.node_id)
            .field("owner", &self.owner)
            .field("public_key", &self.public_key_hex())
            .finish()
    }
}

impl Identity {
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing_key.verifying_key().as_bytes())
    }

    /// A short, human-comparable form of the public key: the first 16 bytes of its sha256,
    /// in groups of four hex digits.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.signing_key.verifying_key().as_bytes())
    }
}

pub fn fingerprint(public_key: &[u8]) -> String {
    let digest = Sha256::digest(public_key);
    digest[..16]
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(":")
}
