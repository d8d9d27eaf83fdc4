//! Putting stored bytes into words: each row decoded in the log's encoding, with a character
//! split across two reads shown whole in the second; switching encoding re-decodes every row.

use super::*;

impl Log {
    pub(super) fn decode(&self, row: &StoredRow) -> String {
        let carried = &row.carry_in[..row.carry_in_len as usize];
        if carried.is_empty() && row.tail_len == 0 {
            return self.encoding.decode_whole(&row.data);
        }
        let mut bytes = Vec::with_capacity(carried.len() + row.data.len());
        bytes.extend_from_slice(carried);
        bytes.extend_from_slice(&row.data);
        bytes.truncate(bytes.len() - row.tail_len as usize);
        self.encoding.decode_whole(&bytes)
    }

    /// Links a received row to its connection's stream: takes the unfinished character of the
    /// previous row, and leaves its own unfinished end for the next.
    pub(super) fn carry(&mut self, row: &mut StoredRow) {
        let (carried, carried_len) = self
            .unfinished
            .remove(&row.peer)
            .unwrap_or(([0; MAX_CARRY], 0));
        row.carry_in = carried;
        row.carry_in_len = carried_len;
        let carried = &carried[..carried_len as usize];
        let tail = self.encoding.unfinished_tail(carried, &row.data);
        row.tail_len = tail as u8;
        if tail > 0 {
            let mut end = [0; MAX_CARRY];
            let all_len = carried.len() + row.data.len();
            for (k, slot) in end.iter_mut().take(tail).enumerate() {
                let at = all_len - tail + k;
                *slot = if at < carried.len() {
                    carried[at]
                } else {
                    row.data[at - carried.len()]
                };
            }
            self.unfinished.insert(row.peer, (end, tail as u8));
        }
    }

    /// Re-decodes every row from its raw bytes, in order, as if it had arrived in `encoding`.
    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        if encoding == self.encoding {
            return;
        }
        self.encoding = encoding;
        self.unfinished.clear();
        let mut rows = std::mem::take(&mut self.rows);
        for row in &mut rows {
            match row.direction {
                Direction::Rx if self.streams => self.carry(row),
                Direction::Info | Direction::Error => {
                    self.unfinished.remove(&row.peer);
                }
                _ => {}
            }
        }
        self.rows = rows;
    }
}
