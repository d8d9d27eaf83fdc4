//! Putting stored bytes into words: each row decoded in the log's encoding, with a character
//! split across two reads shown whole in the second (a WebSocket message, whole, on its own);
//! switching encoding re-decodes every row.
//!
//! A row's unfinished end is carried into the connection's next received row only when that
//! row completes it and reads better with it than without (fewer bytes that decode to nothing):
//! otherwise the bytes stay in their own row, as `\xNN`. Clear and an encoding switch drop what
//! was waiting: rows after a switch never take bytes of rows before it.

use encoding_rs::DecoderResult;

use super::*;

/// A connection's unfinished character, waiting for its next read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Carry {
    bytes: [u8; MAX_CARRY],
    len: u8,
    /// The number of the row it ends.
    row: u64,
}

/// Bytes of a row looked at to decide whether a carry joins it.
const JOIN_WINDOW: usize = 4096;

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

    /// Links received row number `number` to its connection's stream: takes the unfinished
    /// character of the previous row if this row completes it, and leaves its own unfinished
    /// end for the next. Returns the number of a previous row whose end was not taken: it
    /// shows those bytes itself.
    pub(super) fn carry(&mut self, row: &mut StoredRow, number: u64) -> Option<u64> {
        let mut refused = None;
        let (carried, carried_len) = match self.unfinished.remove(&row.peer) {
            Some(carry) if joins(self.encoding, &carry.bytes[..carry.len as usize], &row.data) => {
                (carry.bytes, carry.len)
            }
            Some(carry) => {
                refused = Some(carry.row);
                ([0; MAX_CARRY], 0)
            }
            None => ([0; MAX_CARRY], 0),
        };
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
            let carry = Carry {
                bytes: end,
                len: tail as u8,
                row: number,
            };
            self.unfinished.insert(row.peer, carry);
        }
        refused
    }

    /// Re-decodes every row from its raw bytes, in order, as if it had arrived in `encoding`:
    /// each row from its own bytes plus only a carry that completes a character.
    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        if encoding == self.encoding {
            return;
        }
        self.encoding = encoding;
        self.unfinished.clear();
        let mut rows = std::mem::take(&mut self.rows);
        for i in 0..rows.len() {
            let row = &mut rows[i];
            row.carry_in_len = 0;
            row.tail_len = 0;
            match row.direction {
                Direction::Rx if self.streams && matches!(row.mark, Mark::Data) => {
                    let refused = self.carry(row, self.first + i as u64);
                    if let Some(earlier) = refused.and_then(|n| n.checked_sub(self.first)) {
                        rows[earlier as usize].tail_len = 0;
                    }
                }
                Direction::Info | Direction::Error => {
                    self.unfinished.remove(&row.peer);
                }
                _ => {}
            }
        }
        self.rows = rows;
        // What the last rows leave unfinished is not carried into rows still to come: they
        // were read in another encoding, or the switch is a new start (each shows its own).
        let waiting: Vec<u64> = self
            .unfinished
            .drain()
            .map(|(_, carry)| carry.row)
            .collect();
        for number in waiting {
            self.keep_own_end(number);
        }
    }

    /// A row whose carry was refused shows its own unfinished end.
    pub(super) fn keep_own_end(&mut self, number: u64) {
        if let Some(row) = number
            .checked_sub(self.first)
            .and_then(|i| self.rows.get_mut(i as usize))
        {
            row.tail_len = 0;
        }
    }
}

/// Whether `carried` (a previous read's unfinished end) belongs at the start of `data`: the
/// two read with fewer undecodable bytes joined than apart (where the carried bytes count as
/// undecodable; an unfinished end counts for neither, it waits for the next read). A GBK lead
/// byte before a read of whole pairs is ambiguous (shifted pairs decode too): within one
/// encoding's stream it joins, as the stream's own split does; across an encoding switch
/// nothing is carried (`set_encoding`).
fn joins(encoding: TextEncoding, carried: &[u8], data: &[u8]) -> bool {
    let data = &data[..data.len().min(JOIN_WINDOW)];
    let mut joined = Vec::with_capacity(carried.len() + data.len());
    joined.extend_from_slice(carried);
    joined.extend_from_slice(data);
    // An unfinished end is not counted: it waits for the next read either way.
    let cost = |bytes: &[u8]| undecodable(encoding, bytes);
    cost(&joined) < carried.len() + cost(data)
}

/// How many bytes of `bytes` do not decode (an unfinished end not counted).
fn undecodable(encoding: TextEncoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.encoding().new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 + 16);
    let mut bad_bytes = 0;
    let mut pos = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, false);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return bad_bytes,
            DecoderResult::OutputFull => out.reserve(bytes.len() * 3 + 16),
            DecoderResult::Malformed(bad, _) => bad_bytes += bad as usize,
        }
    }
}
