//! Simplified Chinese for send sequences.

pub const TEXTS: &[(&str, &str)] = &[
    (
        "step {step} (round {round}): nothing matched within {ms} ms",
        "第 {round} 轮第 {step} 步：{ms} 毫秒内没有匹配的消息",
    ),
    (
        "step {step} (round {round}) failed: {error}",
        "第 {round} 轮第 {step} 步失败：{error}",
    ),
    (
        "step {step} (round {round}) passed",
        "第 {round} 轮第 {step} 步通过",
    ),
    ("sequence passed ({n} rounds)", "序列通过（共 {n} 轮）"),
    (
        "sequence failed at step {step} of round {round}",
        "序列在第 {round} 轮第 {step} 步失败",
    ),
    ("sequence stopped", "序列已停止"),
];
