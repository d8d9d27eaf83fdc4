//! Checksums appended to outgoing messages, as device protocols expect them.

use crc::{CRC_16_IBM_3740, CRC_16_MODBUS, CRC_32_ISO_HDLC, Crc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

const MODBUS: Crc<u16> = Crc::<u16>::new(&CRC_16_MODBUS);
/// CRC-16/CCITT-FALSE is catalogued as CRC-16/IBM-3740.
const CCITT_FALSE: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);
const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Checksum {
    #[default]
    None,
    /// Sum of the bytes, modulo 256.
    Sum8,
    /// XOR of the bytes.
    Xor8,
    /// CRC-16/MODBUS, low byte first as Modbus RTU sends it.
    Crc16Modbus,
    /// CRC-16/CCITT-FALSE, high byte first.
    Crc16CcittFalse,
    /// CRC-32 (as zip and Ethernet compute it), high byte first.
    Crc32,
}

impl Checksum {
    pub const ALL: [Checksum; 6] = [
        Checksum::None,
        Checksum::Sum8,
        Checksum::Xor8,
        Checksum::Crc16Modbus,
        Checksum::Crc16CcittFalse,
        Checksum::Crc32,
    ];

    /// The name used on the command line and in the GUI.
    pub fn name(self) -> &'static str {
        match self {
            Checksum::None => "none",
            Checksum::Sum8 => "sum8",
            Checksum::Xor8 => "xor8",
            Checksum::Crc16Modbus => "crc16-modbus",
            Checksum::Crc16CcittFalse => "crc16-ccitt-false",
            Checksum::Crc32 => "crc32",
        }
    }

    pub fn from_name(name: &str) -> Result<Checksum, Error> {
        let wanted = name.trim().to_ascii_lowercase().replace(['/', '_'], "-");
        Checksum::ALL
            .into_iter()
            .find(|c| c.name() == wanted)
            .ok_or_else(|| Error::UnknownChecksum(name.to_string()))
    }

    /// The checksum of `data` as the bytes that go on the wire after it.
    pub fn bytes(self, data: &[u8]) -> Vec<u8> {
        match self {
            Checksum::None => Vec::new(),
            Checksum::Sum8 => vec![data.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))],
            Checksum::Xor8 => vec![data.iter().fold(0u8, |x, &b| x ^ b)],
            Checksum::Crc16Modbus => MODBUS.checksum(data).to_le_bytes().to_vec(),
            Checksum::Crc16CcittFalse => CCITT_FALSE.checksum(data).to_be_bytes().to_vec(),
            Checksum::Crc32 => CRC32.checksum(data).to_be_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modbus_read_request_gets_its_known_crc() {
        let request = [0x01, 0x03, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(Checksum::Crc16Modbus.bytes(&request), vec![0x84, 0x0A]);
    }

    #[test]
    fn catalogue_check_values() {
        // Every CRC catalogue lists the checksum of "123456789".
        let check = b"123456789";
        assert_eq!(Checksum::Crc16CcittFalse.bytes(check), vec![0x29, 0xB1]);
        assert_eq!(Checksum::Crc32.bytes(check), vec![0xCB, 0xF4, 0x39, 0x26]);
        assert_eq!(Checksum::Crc16Modbus.bytes(check), vec![0x37, 0x4B]);
        assert_eq!(Checksum::Sum8.bytes(&[0xFF, 0x02]), vec![0x01]);
        assert_eq!(Checksum::Xor8.bytes(&[0x0F, 0xF0, 0x01]), vec![0xFE]);
        assert!(Checksum::None.bytes(check).is_empty());
    }

    #[test]
    fn names_round_trip_and_accept_common_spellings() {
        for checksum in Checksum::ALL {
            assert_eq!(Checksum::from_name(checksum.name()).unwrap(), checksum);
        }
        assert_eq!(
            Checksum::from_name("CRC16_MODBUS").unwrap(),
            Checksum::Crc16Modbus
        );
        assert_eq!(
            Checksum::from_name("CRC-16/CCITT-FALSE").unwrap_err(),
            Error::UnknownChecksum("CRC-16/CCITT-FALSE".into())
        );
    }
}
