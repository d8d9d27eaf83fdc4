//! Simplified Chinese for the window's frame (the session strip, the rules' summary, the empty
//! log's hints) and its newer notes.

pub const TEXTS: &[(&str, &str)] = &[
    ("Sessions: {n}", "会话：{n}"),
    ("Every session of this tab", "此标签页的所有会话"),
    (
        "Give a pattern (or match any message) and a reply first",
        "先填写匹配内容（或匹配任意消息）和回复",
    ),
    ("{n} rule(s), off since restart", "{n} 条规则，重启后已关闭"),
    ("{n} rule(s), all off", "{n} 条规则，均已关闭"),
    ("{on} of {n} rule(s) on", "{n} 条规则中 {on} 条已启用"),
    (
        "the kernel dropped {more} more datagrams ({total} in all): the receive buffer overflowed",
        "内核又丢弃了 {more} 个数据报（共 {total} 个）：接收缓冲区溢出",
    ),
    (
        "Connected: type a message below; what the server sends shows here",
        "已连接：在下方输入消息；服务器发来的内容显示在这里",
    ),
    (
        "Connecting: what the server sends will show here",
        "正在连接：服务器发来的内容将显示在这里",
    ),
    (
        "Listening: connect a client to this port; its messages show here",
        "正在监听：让客户端连接此端口；它的消息显示在这里",
    ),
    (
        "Open: set where to send and type a message below; datagrams show here",
        "已打开：设置发送目标并在下方输入消息；收到的数据报显示在这里",
    ),
    (
        "Relaying: point a client at its port; what each end sends shows here",
        "正在中继：让客户端连接其端口；两端发送的内容显示在这里",
    ),
    (
        "Replay ended: {count} messages sent",
        "回放结束：已发送 {count} 条消息",
    ),
    (
        "Close the open session {name}? Its connection and its log go with it.",
        "关闭已打开的会话 {name}？它的连接和日志会一起关闭。",
    ),
    ("Close session", "关闭会话"),
    ("Keep it", "保留"),
    (
        "broadcast on: datagrams may go to broadcast addresses",
        "广播已开启：数据报可以发往广播地址",
    ),
    ("broadcast off", "广播已关闭"),
];
