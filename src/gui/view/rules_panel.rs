//! Auto-reply rules and echo: the table of MATCH => REPLY rules a page hands to the engine.
//! A new rule is off, and can be switched on once it has a pattern (or matches any message)
//! and a reply. What is wrong with the rules is said under them, in a line kept for it, so
//! nothing above moves while a reply is typed.

use crate::gui::i18n::t;
use egui::{RichText, Ui};

use crate::codec::Checksum;
use crate::gui::model::page::{Page, PageAction, rule_is_complete};
use crate::gui::view::{choice_combo, field_row, labelled_combo, labelled_field, palette};
use crate::net::rules::MatchKind;

/// Auto-reply rules: the first enabled rule that matches a received message answers it.
/// "Add rule" stays at the top, so it does not move away as rules are added.
pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let error = page.rules_error().map(str::to_string);
    let config = page.config_mut();
    ui.horizontal(|ui| {
        ui.checkbox(&mut config.echo, t("Echo"))
            .on_hover_text(t("Send every received message back to where it came from"));
        if ui.button(t("Add rule")).clicked() {
            actions.push(PageAction::AddRule);
        }
    });
    {
        for (index, rule) in config.rules.iter_mut().enumerate() {
            ui.push_id(index, |ui| {
                ui.separator();
                ui.horizontal(|ui| {
                    let complete = rule_is_complete(rule);
                    let mut on = rule.enabled && complete;
                    let switch = ui
                        .add_enabled(complete, egui::Checkbox::new(&mut on, t("On")))
                        .on_disabled_hover_text(t(
                            "Give a pattern (or match any message) and a reply first",
                        ));
                    if switch.changed() {
                        actions.push(PageAction::SwitchRule(index, on));
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui
                            .small_button("×")
                            .on_hover_text(t("Delete this rule"))
                            .clicked()
                        {
                            actions.push(PageAction::DeleteRule(index));
                        }
                    });
                });
                ui.horizontal(|ui| {
                    labelled_combo(ui, t("Match"), t(rule.kind.label()), |ui| {
                        for kind in MatchKind::ALL {
                            ui.selectable_value(&mut rule.kind, kind, t(kind.label()));
                        }
                    });
                });
                {
                    if rule.kind != MatchKind::Any {
                        field_row(ui, t("Pattern"), &mut rule.pattern, true, |_| {});
                    }
                    field_row(ui, t("Reply"), &mut rule.reply, true, |ui| {
                        ui.checkbox(&mut rule.reply_hex, t("Hex reply"));
                    })
                    .on_hover_text(t("What matched can go in the reply: ${1}…${9} (a regex's groups), ${rx} (the message), ${rx.hex}, ${rx.len}, ${rx[A..B]} (its bytes A to B); $${ is a literal ${"));
                    let mut delay = rule.delay_ms.to_string();
                    ui.horizontal_wrapped(|ui| {
                        if labelled_field(ui, t("Delay ms"), &mut delay, 50.0, true).changed() {
                            rule.delay_ms = delay.trim().parse().unwrap_or(0);
                        }
                        choice_combo(ui, t("Checksum"), &mut rule.checksum, &Checksum::ALL, |c| {
                            t(c.name())
                        })
                        .on_hover_text(t("Appended to the reply, computed over it as built"));
                    });
                }
            });
        }
    }
    // The line for what is wrong, there (empty) while nothing is, so typing never moves a
    // field: an error appears below the rules, not above them.
    if !config.rules.is_empty() {
        ui.separator();
        let text = error.unwrap_or_default();
        ui.label(RichText::new(text).color(palette::error(ui.visuals().dark_mode)));
    }
}
