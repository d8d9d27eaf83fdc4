//! Simplified Chinese for the window's frame: the session strip and the rules' summary.

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
];
