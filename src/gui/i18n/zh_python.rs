//! Simplified Chinese for lecture mode, "What the Python peer saw": the Python calls stay
//! Python, the words around them are translated.

pub const TEXTS: &[(&str, &str)] = &[
    ("Python", "Python 视角"),
    (
        "Show each row as the call a Python program on the other end would make, and what it gets",
        "把每一行显示为另一端的 Python 程序会做的调用，以及它得到的结果",
    ),
    ("Python peer", "Python 对端"),
    ("Copy as Python program", "复制为 Python 程序"),
    (
        "A Python program, in a course's style, that plays the other end of this session",
        "一个课程风格的 Python 程序，扮演此会话的另一端",
    ),
    ("What the Python peer saw", "Python 对端看到的"),
    (
        "  ({n} sends in one recv)",
        "  （{n} 次发送由一次 recv 收到）",
    ),
    (
        "  (the other {n} bytes are gone)",
        "  （其余 {n} 字节已丢失）",
    ),
    (
        "  (+{n} bytes for the next {calls} recv)",
        "  （另有 {n} 字节留给后面 {calls} 次 recv）",
    ),
    (
        "SO_LINGER 0: the close sends RST",
        "SO_LINGER 0：close 发送 RST",
    ),
    ("(came out of the recv above)", "（已由上面的 recv 收到）"),
    (
        "A relay has two peers: copy a client or server page",
        "中继有两个对端：请在客户端或服务器页面复制",
    ),
    (
        "Nothing to play yet: no peer in the log",
        "还没有可扮演的内容：日志中没有对端",
    ),
];
