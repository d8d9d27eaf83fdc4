//! Simplified Chinese for WebSocket: the log's rows, the window's texts, and why a handshake
//! failed or a connection was closed.

use crate::codec::format_size;
use crate::error::WebSocketProblem;

/// What went wrong, with what to do, in Chinese.
pub fn problem(problem: &WebSocketProblem) -> String {
    use WebSocketProblem::*;
    match problem {
        NotUpgraded { status } => {
            format!("服务器回答“{status}”，没有切换到 WebSocket（101）：请检查 URL 中的路径")
        }
        NotHttp { start } => format!("对端不使用 HTTP，因此也不是 WebSocket：它发来 {start}"),
        WrongAccept => {
            "服务器的 Sec-WebSocket-Accept 与发送的密钥不符：不是 WebSocket 服务器".to_string()
        }
        NotAnUpgrade { missing } => {
            format!("客户端的请求不是 WebSocket 升级：{missing}（已回答 400 Bad Request）")
        }
        HeadersTooLong { limit } => format!("握手的头部超过了 {limit} 字节"),
        Timeout { millis } => format!("握手超过了 {millis} 毫秒"),
        ClosedDuringHandshake => "对端在握手期间关闭了连接".to_string(),
        Broken { rule } => format!("对端违反了 WebSocket 协议（{rule}）：已以代码 1002 关闭"),
        TooBig { len, max } => format!(
            "一条 {} 或更大的消息超过了上限 {}（会话的内存预算）：已以代码 1009 关闭",
            format_size(*len as usize),
            format_size(*max)
        ),
    }
}

pub const TEXTS: &[(&str, &str)] = &[
    (
        "WebSocket open: {request}, answered {response}",
        "WebSocket 已建立：{request}，回答 {response}",
    ),
    ("WebSocket headers: {headers}", "WebSocket 头部：{headers}"),
    ("WebSocket ping received", "收到 WebSocket ping"),
    ("WebSocket ping sent", "发出 WebSocket ping"),
    ("WebSocket pong received", "收到 WebSocket pong"),
    ("WebSocket pong sent", "发出 WebSocket pong"),
    ("WebSocket close received", "收到 WebSocket 关闭帧"),
    ("WebSocket close sent", "发出 WebSocket 关闭帧"),
    (
        "code {code} ({meaning}) {reason}",
        "代码 {code}（{meaning}）{reason}",
    ),
    ("no code", "没有代码"),
    // A message's kind, after its length in the log and on its chart arrow.
    ("text", "文本"),
    ("binary", "二进制"),
    ("{what}: {detail}", "{what}：{detail}"),
    ("WebSocket", "WebSocket"),
    (
        "A host name or address, or a WebSocket URL: ws://host/path, or wss:// over TLS (Port is used when the URL names none)",
        "主机名或地址，或 WebSocket URL：ws://主机/路径，或经 TLS 的 wss://（URL 未写端口时使用“端口”）",
    ),
    (
        "The URL in Host names its port",
        "“主机”中的 URL 已写明端口",
    ),
    (
        "Take each client's WebSocket upgrade: each message is a frame, pings are answered (with TLS: wss://)",
        "接受每个客户端的 WebSocket 升级：每条消息是一帧，自动回应 ping（勾选 TLS 时为 wss://）",
    ),
    // The send panel's choice of data frame.
    ("Frames", "帧类型"),
    ("Text if UTF-8", "UTF-8 时为文本"),
    ("Binary", "二进制"),
    (
        "The WebSocket frame each message goes out in: text when its bytes are UTF-8 (else binary), always text, or always binary (for a device that reads bytes, even bytes that spell ASCII)",
        "每条消息发出时使用的 WebSocket 帧：字节是 UTF-8 时为文本帧（否则为二进制帧）、总是文本帧，或总是二进制帧（用于按字节读取的设备，即使字节恰好是 ASCII）",
    ),
    ("normal closure", "正常关闭"),
    ("going away", "离开"),
    ("protocol error", "协议错误"),
    ("unsupported data", "不支持的数据"),
    ("no code given", "未给出代码"),
    ("invalid payload data", "无效的负载数据"),
    ("policy violation", "违反策略"),
    ("message too big", "消息过大"),
    ("mandatory extension", "缺少必需的扩展"),
    ("internal error", "内部错误"),
    ("registered by a library or framework", "由库或框架注册"),
    ("private use", "私用"),
    ("not a code RFC 6455 names", "不是 RFC 6455 定义的代码"),
];
