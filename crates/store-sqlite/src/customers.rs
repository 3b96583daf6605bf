//! The customers (company, phone) that have complaints, kept in memory so
//! that intake's repeat lookup asks the database only about customers who
//! complained before: most callers are new, and a reader query costs more
//! than the rest of an intake. Exact in one direction only: a phone not in
//! the set has no complaint (every complaint is written by this process's
//! writer, which adds it first; the lock file keeps other processes out);
//! a phone in it may still have none in the window, and the database says.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::RwLock;

#[derive(Debug, Default)]
pub(crate) struct KnownCustomers {
    keys: RwLock<HashSet<u64>>,
}

/// A fixed hash of (company, phone): 8 bytes a customer, whatever the phone.
fn key(company_id: i64, phone: &str) -> u64 {
    // `DefaultHasher::new()` uses fixed keys: the same on every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    company_id.hash(&mut h);
    phone.hash(&mut h);
    h.finish()
}

impl KnownCustomers {
    /// Reads every (company, phone) with a complaint (at start).
    pub(crate) fn load(conn: &rusqlite::Connection) -> rusqlite::Result<KnownCustomers> {
        let mut keys = HashSet::new();
        let mut st = conn.prepare("SELECT company_id, customer_phone FROM complaints WHERE customer_phone IS NOT NULL")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let company_id: i64 = row.get(0)?;
            let phone: String = row.get(1)?;
            keys.insert(key(company_id, &phone));
        }
        Ok(KnownCustomers { keys: RwLock::new(keys) })
    }

    pub(crate) fn add(&self, company_id: i64, phone: &str) {
        match self.keys.write() {
            Ok(mut k) => k.insert(key(company_id, phone)),
            Err(poisoned) => poisoned.into_inner().insert(key(company_id, phone)),
        };
    }

    /// False only when the customer has certainly no complaint.
    pub(crate) fn may_have(&self, company_id: i64, phone: &str) -> bool {
        match self.keys.read() {
            Ok(k) => k.contains(&key(company_id, phone)),
            // Unsure: let the database answer.
            Err(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_is_known_once_added_and_per_company() {
        let known = KnownCustomers::default();
        assert!(!known.may_have(1, "13812345678"));
        known.add(1, "13812345678");
        assert!(known.may_have(1, "13812345678"));
        assert!(!known.may_have(2, "13812345678"));
    }
}
