//! Simplified Chinese: every text of the window, and every error.

use crate::error::{Error, MAX_UDP_PAYLOAD};

/// English → 简体中文. Technical names (TCP, UDP, FIN, RST, pcap, TCP_NODELAY) stay as they are,
/// as Chinese courses and tools write them.
pub const TEXTS: &[(&str, &str)] = &[
    // Tabs and the top bar
    ("TCP Client", "TCP 客户端"),
    ("TCP Server", "TCP 服务器"),
    ("UDP", "UDP"),
    ("TCP", "TCP"),
    ("Stress", "压力测试"),
    (
        "Load a server with many clients and see QPS and latency",
        "用大量客户端给服务器加压，查看 QPS 和延迟",
    ),
    ("Demo", "演示"),
    (
        "A server and a client side by side on this machine, for teaching",
        "本机上的服务器和客户端并排显示，用于教学",
    ),
    ("Light theme", "浅色主题"),
    ("Dark theme", "深色主题"),
    ("Normal view", "普通视图"),
    ("Presentation", "演示模式"),
    (
        "Large type, high contrast, thicker lines: for a projector",
        "大字体、高对比度、粗线条：适合投影",
    ),
    ("A+", "A+"),
    ("Larger text (Ctrl +)", "放大文字 (Ctrl +)"),
    ("A−", "A−"),
    ("Smaller text (Ctrl −)", "缩小文字 (Ctrl −)"),
    ("Language", "语言"),
    // Sessions strip
    ("Close this session", "关闭此会话"),
    ("Another session in this tab", "在此标签页中新建会话"),
    // Connection panel
    ("Host", "主机"),
    ("Port", "端口"),
    ("Address", "地址"),
    ("Local address", "本地地址"),
    ("Local port", "本地端口"),
    ("Broadcast", "广播"),
    (
        "Allow sending to broadcast addresses such as 255.255.255.255",
        "允许发送到 255.255.255.255 等广播地址",
    ),
    ("Connect", "连接"),
    ("Disconnect", "断开"),
    ("Listen", "监听"),
    ("Stop", "停止"),
    ("Open", "打开"),
    ("Close", "关闭"),
    ("Close with RST", "以 RST 关闭"),
    (
        "SO_LINGER 0: the peer's next read fails with \"connection reset\" (Disconnect closes with FIN)",
        "SO_LINGER 0：对端下一次读取会报“连接被重置”（“断开”用 FIN 关闭）",
    ),
    ("Send to:", "发送到："),
    ("no datagram yet", "尚未收到数据报"),
    ("Reply to last sender", "回复最后的发送方"),
    ("Last sender: {last}", "最后的发送方：{last}"),
    (
        "  all interfaces (reachable from the LAN)",
        "  所有网卡（局域网可访问）",
    ),
    ("  this machine only", "  仅本机"),
    ("Pick one of this machine's addresses", "选择本机的一个地址"),
    ("Custom", "自定义"),
    ("Raw (each read)", "原始（每次读取）"),
    ("Line (LF)", "按行 (LF)"),
    ("Line (CRLF)", "按行 (CRLF)"),
    ("Delimiter (hex)", "分隔符（十六进制）"),
    ("Fixed length", "固定长度"),
    ("Length prefix (2 bytes BE)", "长度前缀（2 字节大端）"),
    ("Length prefix (4 bytes BE)", "长度前缀（4 字节大端）"),
    ("Idle gap (ms)", "空闲间隔（毫秒）"),
    ("Framing", "分帧"),
    (
        "How received bytes split into messages: one log row each",
        "接收的字节如何切分成消息：每条消息一行日志",
    ),
    ("Framing spec", "分帧规则"),
    (
        "raw, line, crlf, delim:HEX, fixed:N, len:1|2be|2le|4be|4le (+h: the length counts the header), idle:MS",
        "raw, line, crlf, delim:十六进制, fixed:N, len:1|2be|2le|4be|4le（+h：长度包含头部）, idle:毫秒",
    ),
    ("No delay", "无延迟"),
    (
        "TCP_NODELAY: send small writes at once (no Nagle)",
        "TCP_NODELAY：小数据立即发送（关闭 Nagle 算法）",
    ),
    ("Keep-alive", "保活"),
    (
        "SO_KEEPALIVE: notice a peer that vanished without closing",
        "SO_KEEPALIVE：发现未关闭就消失的对端",
    ),
    ("Half-close", "半关闭"),
    (
        "After the peer's FIN (it finished sending), keep the connection so you can still send; Disconnect closes it",
        "收到对端的 FIN（对端发送完毕）后保留连接，仍可继续发送；点“断开”关闭",
    ),
    ("Dual-stack", "双栈"),
    (
        "On an IPv6 address such as ::, accept IPv4 clients too",
        "在 :: 等 IPv6 地址上也接受 IPv4 客户端",
    ),
    ("Reconnect", "自动重连"),
    (
        "Connect again when the connection fails or is lost (0.5 s, doubling up to 30 s)",
        "连接失败或断开时重新连接（0.5 秒起，每次加倍，最长 30 秒）",
    ),
    ("Multicast group", "组播组"),
    (
        "224.0.0.0/4 or ff00::/8, e.g. 239.1.2.3",
        "224.0.0.0/4 或 ff00::/8，例如 239.1.2.3",
    ),
    ("Join", "加入"),
    ("Leave {group}", "退出 {group}"),
    ("TTL", "TTL"),
    (
        "Hops our multicast datagrams may cross; empty: 1 (this network)",
        "组播数据报可经过的跳数；留空为 1（本网络）",
    ),
    ("Multicast loop", "组播回环"),
    (
        "Deliver our own multicast datagrams to this machine too",
        "本机也接收自己发出的组播数据报",
    ),
    // Status line
    ("Not connected", "未连接"),
    ("Not listening", "未监听"),
    ("Closed", "已关闭"),
    ("Connecting to {host}:{port}…", "正在连接 {host}:{port}…"),
    (
        "Connected to {peer} from local {local}",
        "已连接到 {peer}，本地地址 {local}",
    ),
    (
        " · peer finished sending (FIN): you can still send",
        " · 对端已发送完毕 (FIN)：仍可继续发送",
    ),
    ("Open on {local}", "已在 {local} 打开"),
    (
        " (all interfaces: reachable from the LAN)",
        "（所有网卡：局域网可访问）",
    ),
    (
        "Listening on {local}{reach} · {n} client(s)",
        "正在监听 {local}{reach} · {n} 个客户端",
    ),
    // Log view
    ("Table", "表格"),
    ("Sequence chart", "时序图"),
    (
        "A lane for this end and each peer; an arrow per connect, message, FIN and RST",
        "本端和每个对端各一条泳道；每次连接、消息、FIN 和 RST 画一个箭头",
    ),
    ("Plots", "曲线图"),
    (
        "Bytes per second in and out; round trips (a send to the next reply)",
        "每秒收发字节数；往返时间（从发送到下一次回复）",
    ),
    ("Show text", "显示文本"),
    ("Show hex", "显示十六进制"),
    ("Show both", "两者都显示"),
    ("Encoding", "编码"),
    ("Resume", "继续"),
    ("Pause", "暂停"),
    ("Clear", "清空"),
    (
        "RX {rx} B / {rxm} msg · TX {tx} B / {txm} msg",
        "收 {rx} 字节 / {rxm} 条 · 发 {tx} 字节 / {txm} 条",
    ),
    ("Reset counters", "计数清零"),
    ("Show:", "显示："),
    ("RX", "收"),
    ("TX", "发"),
    ("INFO", "信息"),
    ("ERROR", "错误"),
    ("Events", "事件"),
    ("Filter peer", "按对端筛选"),
    ("Filter text", "按内容筛选"),
    (
        "Text or hex (\"01 03\"), any case",
        "文本或十六进制（\"01 03\"），不分大小写",
    ),
    ("Keep rows", "保留行数"),
    (
        "Older rows are dropped; counters and captures stay exact",
        "更早的行会被丢弃；计数和抓包文件仍然准确",
    ),
    ("Find", "查找"),
    ("Ctrl+F", "Ctrl+F"),
    ("Previous", "上一个"),
    ("Next", "下一个"),
    ("no match", "无匹配"),
    ("{at} of {n}", "第 {at} 个，共 {n} 个"),
    ("{n} matches", "{n} 个匹配"),
    ("Close find", "关闭查找"),
    ("Time", "时间"),
    ("Dir", "方向"),
    ("Peer", "对端"),
    ("Length", "长度"),
    ("Content", "内容"),
    ("Copy as text", "复制为文本"),
    ("Copy as hex", "复制为十六进制"),
    ("This end", "本端"),
    (
        "Round trips measured: {n} (a send to the next receive from the same peer)",
        "已测往返次数：{n}（从发送到同一对端的下一次接收）",
    ),
    ("RX bytes/s", "接收 字节/秒"),
    ("TX bytes/s", "发送 字节/秒"),
    ("round trip (ms)", "往返时间（毫秒）"),
    // Log rows
    ("listening on {local}", "正在监听 {local}"),
    (
        "connected to {peer} from {local}",
        "已从 {local} 连接到 {peer}",
    ),
    ("client #{client} connected", "客户端 #{client} 已连接"),
    (
        "rejected: {limit} clients are connected, the most allowed",
        "已拒绝：已有 {limit} 个客户端连接，达到上限",
    ),
    (
        "peer finished sending (FIN); this side can still send",
        "对端已发送完毕 (FIN)；本端仍可发送",
    ),
    ("closed: {reason}", "已关闭：{reason}"),
    ("reconnecting in {ms} ms", "{ms} 毫秒后重连"),
    ("closed by peer (FIN)", "对端关闭 (FIN)"),
    ("reset by peer (RST)", "对端重置 (RST)"),
    ("closed here", "本端关闭"),
    ("reset here (RST)", "本端重置 (RST)"),
    // Sequence chart
    ("connect", "连接"),
    ("connect · client #{id}", "连接 · 客户端 #{id}"),
    ("FIN (half-close)", "FIN（半关闭）"),
    ("rejected (too many clients)", "已拒绝（客户端过多）"),
    // Send panel
    ("Message", "消息"),
    ("Send", "发送"),
    ("Writes", "写入次数"),
    (
        "Sticky packets: each send becomes this many writes",
        "粘包演示：每次发送拆成这么多次写入",
    ),
    ("Apart (ms)", "间隔（毫秒）"),
    (
        "Time between the writes of one send (0: back to back)",
        "一次发送中各次写入的间隔（0：连续写入）",
    ),
    (
        "Text to send (Ctrl+Enter sends)",
        "要发送的文本（Ctrl+Enter 发送）",
    ),
    (
        "Hex bytes, e.g. 48 65 6C 6C 6F (Ctrl+Enter sends)",
        "十六进制字节，例如 48 65 6C 6C 6F（Ctrl+Enter 发送）",
    ),
    ("Text", "文本"),
    ("Hex", "十六进制"),
    ("Escapes", "转义"),
    (
        r"Read \r \n \t \\ \0 and \xNN in the text",
        r"识别文本中的 \r \n \t \\ \0 和 \xNN",
    ),
    ("Line ending", "行尾"),
    ("none", "无"),
    ("Checksum", "校验"),
    (
        "Appended to each message, before the line ending",
        "附加在每条消息后、行尾之前",
    ),
    ("All clients", "所有客户端"),
    ("Client #{id}", "客户端 #{id}"),
    ("Send to", "发送到"),
    ("Every ms", "间隔毫秒"),
    ("Times", "次数"),
    ("0: until stopped", "0：直到停止"),
    ("Stop repeat", "停止循环"),
    ("Repeat", "循环发送"),
    ("Send the message periodically", "定时重复发送这条消息"),
    // Collapsing sections
    ("Presets and history", "预设和历史"),
    ("Files: send, capture, export", "文件：发送、抓取、导出"),
    ("Auto-reply rules", "自动回复规则"),
    ("Record, pcap, replay", "录制、pcap、回放"),
    // Presets
    ("Edit", "编辑"),
    ("Move left", "左移"),
    ("Move right", "右移"),
    ("Delete this preset", "删除此预设"),
    ("Preset name", "预设名称"),
    ("Save as preset", "存为预设"),
    (
        "Save the message above with its settings",
        "连同设置保存上面的消息",
    ),
    ("History", "历史"),
    ("{n} sent", "已发送 {n} 条"),
    ("Preset {n}", "预设 {n}"),
    // Rules
    ("Echo", "回显"),
    (
        "Send every received message back to where it came from",
        "把收到的每条消息原样发回",
    ),
    ("On", "启用"),
    ("Match", "匹配"),
    ("Pattern", "模式"),
    ("Reply", "回复"),
    ("Hex reply", "十六进制回复"),
    ("Delay ms", "延迟毫秒"),
    ("Delete this rule", "删除此规则"),
    ("Add rule", "添加规则"),
    ("contains text", "包含文本"),
    ("contains hex", "包含十六进制"),
    ("starts with", "开头是"),
    ("matches regex", "匹配正则"),
    ("any message", "任意消息"),
    // Files
    ("Choose in a file dialog", "在文件对话框中选择"),
    ("…", "…"),
    ("File to send", "要发送的文件"),
    (
        "A path, or drop a file on the window",
        "文件路径，或把文件拖到窗口上",
    ),
    ("Send file", "发送文件"),
    ("Capture file", "抓取文件"),
    ("Stop capture", "停止抓取"),
    ("Start capture", "开始抓取"),
    (
        "Write every received byte to the file, exactly as it arrived",
        "把收到的每个字节原样写入文件",
    ),
    ("Export to", "导出到"),
    ("Export format", "导出格式"),
    ("Export log", "导出日志"),
    (
        "Capturing received bytes to {path}",
        "正在把接收的字节写入 {path}",
    ),
    ("Capture stopped", "已停止抓取"),
    ("Saved {n} rows to {path}", "已保存 {n} 行到 {path}"),
    (
        "Sending {path} ({total} bytes)",
        "正在发送 {path}（{total} 字节）",
    ),
    (
        "Sending {path} (size unknown)",
        "正在发送 {path}（大小未知）",
    ),
    ("Sent {path} ({n} bytes)", "已发送 {path}（{n} 字节）"),
    ("Idle timeout (s)", "空闲超时（秒）"),
    ("Send timeout (s)", "发送超时（秒）"),
    (
        "Close a connection whose peer sends nothing for this long (empty: never)",
        "对端这么久没有发送任何数据就关闭连接（留空：从不）",
    ),
    (
        "Close a connection whose peer takes nothing we send for this long (empty: never)",
        "对端这么久没有接收我们发送的数据就关闭连接（留空：从不）",
    ),
    // Record and replay
    ("Record", "录制"),
    ("Stop recording ({n} items)", "停止录制（{n} 项）"),
    (
        "Keep every connect, message and close from now, with its time",
        "从现在起记录每次连接、消息和关闭及其时间",
    ),
    ("pcap file", "pcap 文件"),
    ("Save pcap", "保存 pcap"),
    (
        "For Wireshark or tshark: IP and TCP/UDP headers are synthesised around the real payloads",
        "供 Wireshark 或 tshark 打开：在真实数据外合成 IP 和 TCP/UDP 头",
    ),
    ("Recording file", "录制文件"),
    ("Save recording", "保存录制"),
    ("Replay file", "回放文件"),
    ("What this end sent", "本端发送的内容"),
    ("What the peer sent", "对端发送的内容"),
    ("Replay", "回放"),
    (
        "Open a server here and replay what the recorded server sent: a mock server",
        "在这里打开服务器，回放录制中服务器发送的内容：模拟服务器",
    ),
    ("As fast as possible", "尽快发送"),
    (
        "Off: with the recorded timing (1×)",
        "关闭时按录制时的节奏（1 倍速）",
    ),
    ("Stop replay", "停止回放"),
    ("Start replay", "开始回放"),
    (
        "Sends the chosen side's messages over this session, in order",
        "通过本会话按顺序发送所选一方的消息",
    ),
    ("Recorded {n} items", "已录制 {n} 项"),
    (
        "Recording stopped: it reached its size limit (64 MiB)",
        "录制已停止：达到大小上限 (64 MiB)",
    ),
    (
        "Wrote {n} items to {path} (open it in Wireshark)",
        "已把 {n} 项写入 {path}（可用 Wireshark 打开）",
    ),
    ("Saved the recording to {path}", "录制已保存到 {path}"),
    ("Replay stopped", "回放已停止"),
    ("Replaying {count} messages", "正在回放 {count} 条消息"),
    // Server client list
    ("Clients", "客户端"),
    ("No client connected", "没有客户端连接"),
    ("since {since}", "自 {since}"),
    ("Connected since", "连接时间"),
    ("in {rx} B · out {tx} B", "收 {rx} 字节 · 发 {tx} 字节"),
    ("Selected: client #{id}", "已选：客户端 #{id}"),
    ("Disconnect client", "断开客户端"),
    (
        "Close with FIN: the client reads end of stream",
        "用 FIN 关闭：客户端读到流结束",
    ),
    ("Reset client", "重置客户端"),
    (
        "Close with RST (SO_LINGER 0): the client's next read fails with \"connection reset\"",
        "用 RST 关闭 (SO_LINGER 0)：客户端下一次读取会报“连接被重置”",
    ),
    ("Only this client's rows", "只显示该客户端的行"),
    // Demo
    ("Start TCP demo", "开始 TCP 演示"),
    (
        "A TCP server on 127.0.0.1 (a free port) and a client connected to it",
        "在 127.0.0.1（空闲端口）上的 TCP 服务器和连到它的客户端",
    ),
    ("Start UDP demo", "开始 UDP 演示"),
    (
        "Two UDP sockets on 127.0.0.1, each sending to the other",
        "127.0.0.1 上的两个 UDP 套接字，互相发送",
    ),
    ("Stop demo", "停止演示"),
    (
        "Shows how sockets talk, on one screen: connect, send, sticky packets (Writes, Apart, No delay), FIN (Disconnect) versus RST (Close with RST), and UDP datagrams. Everything stays on this machine.",
        "在一个屏幕上展示套接字如何通信：连接、发送、粘包（写入次数、间隔、无延迟）、FIN（断开）与 RST（以 RST 关闭）的区别，以及 UDP 数据报。所有通信都在本机进行。",
    ),
    ("TCP server", "TCP 服务器"),
    ("TCP client", "TCP 客户端"),
    ("UDP socket A", "UDP 套接字 A"),
    ("UDP socket B", "UDP 套接字 B"),
    (
        "TCP_NODELAY: applies when the client connects again",
        "TCP_NODELAY：客户端重新连接时生效",
    ),
    ("Disconnect closes with FIN", "“断开”用 FIN 关闭"),
    ("Reset client #{id}", "重置客户端 #{id}"),
    // Stress
    (
        "Set a target and press Start. Only load servers you run or may test.",
        "设置目标后点击开始。只对自己的或获准测试的服务器加压。",
    ),
    ("Report file", "报告文件"),
    (
        "A .csv name writes CSV; anything else writes JSON",
        "以 .csv 结尾写 CSV，否则写 JSON",
    ),
    ("Export report", "导出报告"),
    ("Protocol", "协议"),
    ("Target host", "目标主机"),
    ("Target port", "目标端口"),
    (
        "Clients at once, each with its own socket and thread",
        "同时在线的客户端数，每个有自己的套接字和线程",
    ),
    ("Ping-pong", "一问一答"),
    ("Throughput", "吞吐量"),
    ("Mode", "模式"),
    (
        "Send, wait for the reply, measure the round trip",
        "发送后等待回复，测量往返时间",
    ),
    (
        "Send only, as fast as the rate allows",
        "只发送，按速率上限尽快发送",
    ),
    ("Short connections", "短连接"),
    ("A new connection for every request", "每个请求新建一个连接"),
    ("Rate (msg/s)", "速率（条/秒）"),
    (
        "Over all clients; empty: as fast as possible",
        "所有客户端合计；留空为尽快发送",
    ),
    ("Duration (s)", "时长（秒）"),
    ("Empty: until Count is reached", "留空：直到达到总数"),
    ("Count", "总数"),
    (
        "Requests in all; empty: until the duration is over",
        "请求总数；留空：直到时长结束",
    ),
    ("Timeout (ms)", "超时（毫秒）"),
    (
        "Wait this long for a connection or a reply",
        "等待连接或回复的最长时间",
    ),
    ("Payload", "负载"),
    (
        "Variables: ${seq} ${client} ${time} ${random:MIN:MAX}; escapes such as \\r\\n work",
        "变量：${seq} ${client} ${time} ${random:MIN:MAX}；可用 \\r\\n 等转义",
    ),
    ("Hex payload", "十六进制负载"),
    ("Payload encoding", "负载编码"),
    ("Stop test", "停止测试"),
    ("Start test", "开始测试"),
    ("Running", "运行中"),
    ("Finished", "已结束"),
    ("QPS now", "当前 QPS"),
    ("QPS peak", "峰值 QPS"),
    ("Sent", "已发送"),
    ("Succeeded", "成功"),
    ("Failed", "失败"),
    ("Active connections", "活动连接"),
    ("Bytes out", "发送字节"),
    ("Bytes in", "接收字节"),
    ("Connect failed", "连接失败"),
    ("Send failed", "发送失败"),
    ("Timed out", "超时"),
    ("Closed by peer", "被对端关闭"),
    ("Latency p50", "延迟 p50"),
    ("Latency p95", "延迟 p95"),
    ("Latency p99", "延迟 p99"),
    ("Latency max", "最大延迟"),
    ("QPS", "QPS"),
    ("p99 round trip (ms)", "p99 往返时间（毫秒）"),
    ("'{text}' is not a number", "“{text}”不是数字"),
    (
        "Nothing to export yet: start a run",
        "还没有可导出的内容：请先运行测试",
    ),
    ("Report written to {path}", "报告已写入 {path}"),
    ("cannot write {path}: {reason}", "无法写入 {path}：{reason}"),
    // Reasons the engine gives for bad settings
    ("must be from 1 to 10000", "必须在 1 到 10000 之间"),
    (
        "must be a number of messages per second above 0",
        "必须是大于 0 的每秒消息数",
    ),
    (
        "or count is needed: a run must end",
        "或总数必须填写：测试必须能结束",
    ),
    ("and count must be above 0", "和总数必须大于 0"),
    ("must be at least 1 ms", "至少为 1 毫秒"),
];

/// A text the engine made (English), translated when the table knows it.
fn known(english: &str) -> String {
    TEXTS
        .iter()
        .find(|(en, _)| *en == english)
        .map_or(english, |(_, zh)| zh)
        .to_string()
}

pub fn error(error: &Error) -> String {
    match error {
        Error::InvalidHexDigit { digit, position } => {
            format!("第 {position} 个位置的十六进制数字“{digit}”无效")
        }
        Error::OddHexDigits { position } => format!("第 {position} 个位置的十六进制数字个数为奇数"),
        Error::InvalidEscape { escape, position } => {
            format!(r"第 {position} 个位置的转义“{escape}”无效（可用 \r \n \t \\ \0 或 \xNN）")
        }
        Error::Unencodable {
            character,
            encoding,
        } => format!(
            "“{character}”(U+{:04X}) 无法用 {encoding} 编码",
            *character as u32
        ),
        Error::UnknownEncoding(name) => format!("未知编码“{name}”（可选 utf-8 或 gbk）"),
        Error::UnknownChecksum(name) => format!(
            "未知校验“{name}”（可选 none、sum8、xor8、crc16-modbus、crc16-ccitt-false 或 crc32）"
        ),
        Error::InvalidFraming { spec, reason } => format!("分帧规则“{spec}”无效：{reason}"),
        Error::FrameTooLong { len, max } => {
            format!("一帧达到 {len} 字节或更多，超过上限 {max} 字节，已丢弃")
        }
        Error::InvalidRule { rule, reason } => format!("规则 {rule} 无效：{reason}"),
        Error::InvalidAddress { input, reason } => format!("地址“{input}”无效：{reason}"),
        Error::InvalidPort(port) => format!("端口“{port}”无效：请填 0 到 65535 之间的数字"),
        Error::PeerPortZero => "对端端口不能为 0：请填 1 到 65535".to_string(),
        Error::DatagramTooLarge { len } => {
            format!("UDP 负载 {len} 字节，超过上限 {MAX_UDP_PAYLOAD} 字节")
        }
        Error::InvalidInterval => "间隔至少为 1 毫秒".to_string(),
        Error::InvalidNumber(text) => format!("数字“{text}”无效"),
        Error::EmptyMessage => "没有可发送的内容：消息为空".to_string(),
        Error::NoTarget => "没有目标地址：请填写要发送到的主机和端口".to_string(),
        Error::NothingRecorded => {
            "没有录制内容：请先点“录制”，或选择含有消息的录制文件".to_string()
        }
        Error::UnknownVariable(name) => format!(
            "未知变量“{name}”（可用 ${{seq}}、${{client}}、${{time}} 或 ${{random:MIN:MAX}}）"
        ),
        Error::InvalidSetting { name, reason } => format!("{}{}", known(name), known(reason)),
        Error::Resolve { host, reason } => format!("无法解析主机“{host}”：{reason}"),
        Error::ConnectionRefused(addr) => format!("{addr} 拒绝了连接"),
        Error::ConnectTimeout { addr, millis } => format!("连接 {addr} 超时（{millis} 毫秒）"),
        Error::AddrInUse(addr) => format!("地址 {addr} 已被占用"),
        Error::AddrNotAvailable(addr) => format!("本机没有地址 {addr}"),
        Error::PermissionDenied(addr) => {
            format!("没有使用 {addr} 的权限（1024 以下的端口需要管理员权限）")
        }
        Error::BroadcastNotEnabled(addr) => {
            format!("发送到 {addr} 被拒绝：要发送到广播地址，请打开“广播”")
        }
        Error::Multicast {
            action,
            group,
            reason,
        } => {
            let action = if *action == "joining" {
                "加入"
            } else {
                "退出"
            };
            format!("{action}组播组 {group} 失败：{reason}")
        }
        Error::NoSuchClient(id) => format!("没有 id 为 {id} 的客户端"),
        Error::NotConnected => "未连接".to_string(),
        Error::PeerNotReading { peer, waiting } => format!(
            "{peer} 没有在读取：还有 {} 待发送；这条消息没有发出",
            crate::codec::format_size(*waiting)
        ),
        Error::SessionBusy => "会话仍在转交之前的消息，请稍后再试".to_string(),
        Error::SendTimeout {
            peer,
            millis,
            sent,
            len,
        } => format!(
            "{peer} 在 {millis} 毫秒内没有接收任何数据：发送超时（{len} 字节中已发出 {sent} 字节），连接已关闭"
        ),
        Error::SendFailed {
            peer,
            sent,
            len,
            message,
        } => format!("发送到 {peer} 失败（{len} 字节中已发出 {sent} 字节）：{message}"),
        Error::IdleTimeout { peer, millis } => {
            let secs = crate::error::seconds(*millis);
            format!("{peer} 在 {secs} 秒内没有发送任何数据：空闲超时，连接已关闭")
        }
        Error::OverBudget { limit, held } => format!(
            "已关闭：会话的连接占用的内存超过了 {} 的预算；这个连接占用最多（{}，已随连接丢弃）",
            crate::codec::format_size(*limit),
            crate::codec::format_size(*held)
        ),
        Error::File {
            action,
            path,
            message,
        } => format!("{}文件 {path} 失败：{message}", file_action(action)),
        Error::Io {
            action,
            addr,
            message,
        } => format!("{}{addr} 失败：{message}", io_action(action)),
    }
}

fn file_action(action: &str) -> &'static str {
    match action {
        "reading" => "读取",
        "writing" | "writing the capture to" => "写入",
        "creating the capture file" => "创建抓取",
        "saving the log to" => "保存日志到",
        _ => "访问",
    }
}

fn io_action(action: &str) -> &'static str {
    match action {
        "sending to" => "发送到 ",
        "reading from" => "读取 ",
        "receiving on" => "在此接收 ",
        "connecting to" => "连接 ",
        "binding" => "绑定 ",
        "listening on" => "监听 ",
        "accepting on" => "接受连接 ",
        "opening a socket for" => "打开套接字 ",
        "setting multicast options on" => "设置组播选项 ",
        "starting a thread for" => "启动线程 ",
        _ => "操作 ",
    }
}
