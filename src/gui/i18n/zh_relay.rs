//! Simplified Chinese for the Relay tab.

pub const TEXTS: &[(&str, &str)] = &[
    ("Relay", "中继"),
    ("Presentation or normal view", "演示视图或普通视图"),
    ("Listen on", "监听地址"),
    ("to", "到"),
    ("Start relay", "启动中继"),
    ("Not relaying", "中继未启动"),
    (
        "Relaying {local} to {host}:{port} · {n} client(s)",
        "中继 {local} 到 {host}:{port} · {n} 个客户端",
    ),
    (
        "Each client that connects here is connected through to this target; bytes pass both ways",
        "每个连到这里的客户端都被接通到这个目标，字节双向原样转发",
    ),
    (
        "Start the relay, then point a client at its port: what each end sends shows here",
        "启动中继，再让客户端连接它的端口：两端发送的内容都显示在这里",
    ),
    ("To target", "发往目标"),
    ("client->target", "客户端->目标"),
    ("target->client", "目标->客户端"),
    ("->client", "->客户端"),
    ("->target", "->目标"),
    ("client", "客户端"),
    ("target", "目标"),
    ("To client", "发往客户端"),
    (
        "Sent to the target, as if the client had sent it",
        "发给目标，如同客户端发出",
    ),
    (
        "Sent to the client, as if the target had sent it",
        "发给客户端，如同目标发出",
    ),
    (
        "client #{client} relayed to target {target} (from {local})",
        "客户端 #{client} 已接通目标 {target}（本地 {local}）",
    ),
];
