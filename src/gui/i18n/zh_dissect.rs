//! Simplified Chinese for the protocol dissectors of the row detail pane: their names, the
//! fields they find, and what they say does not fit (`codec::dissect::Problem` templates).

pub const TEXTS: &[(&str, &str)] = &[
    ("Automatic", "自动"),
    ("Automatic ({name})", "自动（{name}）"),
    (
        "JSON that parses, a Modbus TCP header that agrees, a Modbus RTU CRC that is right, a WebSocket frame whose length agrees, else text",
        "能解析的 JSON、长度相符的 Modbus TCP 报头、CRC 正确的 Modbus RTU、长度相符的 WebSocket 帧，否则按文本",
    ),
    ("Modbus TCP", "Modbus TCP"),
    ("Modbus RTU", "Modbus RTU"),
    ("JSON", "JSON"),
    ("Text (UTF-8)", "文本 (UTF-8)"),
    ("Text (GBK)", "文本 (GBK)"),
    ("Base64", "Base64"),
    ("WebSocket frame", "WebSocket 帧"),
    ("FIN", "FIN（末帧）"),
    ("Opcode", "操作码"),
    ("Masked", "掩码"),
    ("Payload length", "载荷长度"),
    ("Payload (hex)", "载荷（十六进制）"),
    ("Close code", "关闭码"),
    ("Reason", "原因"),
    (
        "{len} bytes: this frame's header has {needed}",
        "{len} 字节：该帧的帧头有 {needed} 字节",
    ),
    (
        "the header says {length} bytes of payload, the frame has {actual}",
        "帧头说载荷有 {length} 字节，帧里只有 {actual} 字节",
    ),
    (
        "{extra} more bytes follow the frame (the next frame, in a TCP stream)",
        "帧后还有 {extra} 字节（TCP 流中的下一帧）",
    ),
    (
        "reserved bits {rsv} are set: no extension was agreed",
        "保留位 {rsv} 被置位：并未协商任何扩展",
    ),
    ("opcode {opcode} is reserved", "操作码 {opcode} 是保留值"),
    (
        "a control frame (close, ping, pong) carries at most 125 bytes, unfragmented",
        "控制帧（close、ping、pong）最多 125 字节，且不能分片",
    ),
    ("Transaction", "事务号"),
    ("Protocol", "协议号"),
    ("Unit", "单元号"),
    ("Function", "功能码"),
    ("Exception", "异常码"),
    ("Start address", "起始地址"),
    ("Quantity", "数量"),
    ("Byte count", "字节数"),
    ("Registers", "寄存器"),
    ("Bits (first to last)", "位（由首至尾）"),
    ("Value", "值"),
    ("Values", "数值"),
    ("Data", "数据"),
    ("CRC", "CRC"),
    ("As Base64", "编码为 Base64"),
    ("Decoded (hex)", "解码（十六进制）"),
    ("Decoded (UTF-8)", "解码（UTF-8）"),
    ("not JSON: {error}", "不是 JSON：{error}"),
    (
        "not Base64: byte {position} ({value}) is not a Base64 character",
        "不是 Base64：第 {position} 字节（{value}）不是 Base64 字符",
    ),
    (
        "not Base64: byte {position} follows the '=' padding",
        "不是 Base64：第 {position} 字节在填充符“=”之后",
    ),
    (
        "not Base64: one character too many at the end",
        "不是 Base64：末尾多了一个字符",
    ),
    (
        "{len} bytes: a Modbus TCP frame has at least 8 (a 7-byte MBAP header and a function)",
        "{len} 字节：Modbus TCP 帧至少 8 字节（7 字节 MBAP 头和功能码）",
    ),
    (
        "{len} bytes: a Modbus RTU frame has at least 4 (address, function, CRC)",
        "{len} 字节：Modbus RTU 帧至少 4 字节（地址、功能码、CRC）",
    ),
    (
        "protocol {protocol}: Modbus is protocol 0",
        "协议号 {protocol}：Modbus 的协议号是 0",
    ),
    (
        "the header says {length} bytes follow it, the frame has {actual}",
        "报文头说其后有 {length} 字节，帧中实有 {actual} 字节",
    ),
    (
        "CRC {found} does not match the frame: it should be {expected}",
        "CRC {found} 与帧不符：应为 {expected}",
    ),
    ("no function code", "缺少功能码"),
    ("an exception without its code", "异常响应缺少异常码"),
];
