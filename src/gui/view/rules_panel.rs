//! Auto-reply rules and echo: the table of MATCH => REPLY rules a page hands to the engine.

use crate::gui::i18n::t;
use egui::{RichText, Ui};

use crate::gui::model::page::Page;
use crate::gui::view::{labelled_combo, labelled_field};
use crate::net::rules::{MatchKind, Rule};

/// Auto-reply rules: the first enabled rule that matches a received message answers it.
pub fn draw(page: &mut Page, ui: &mut Ui) {
    ui.checkbox(&mut page.config.echo, t("Echo"))
        .on_hover_text(t("Send every received message back to where it came from"));
    let mut remove = None;
    for (index, rule) in page.config.rules.iter_mut().enumerate() {
        ui.push_id(index, |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut rule.enabled, t("On"));
                labelled_combo(ui, t("Match"), t(rule.kind.label()), |ui| {
                    for kind in MatchKind::ALL {
                        ui.selectable_value(&mut rule.kind, kind, t(kind.label()));
                    }
                });
                if rule.kind != MatchKind::Any {
                    labelled_field(ui, t("Pattern"), &mut rule.pattern, 120.0, true);
                }
                labelled_field(ui, t("Reply"), &mut rule.reply, 140.0, true);
                ui.checkbox(&mut rule.reply_hex, t("Hex reply"));
                let mut delay = rule.delay_ms.to_string();
                if labelled_field(ui, t("Delay ms"), &mut delay, 50.0, true).changed() {
                    rule.delay_ms = delay.trim().parse().unwrap_or(0);
                }
                if ui
                    .small_button("×")
                    .on_hover_text(t("Delete this rule"))
                    .clicked()
                {
                    remove = Some(index);
                }
            });
        });
    }
    if let Some(index) = remove {
        page.config.rules.remove(index);
    }
    if ui.button(t("Add rule")).clicked() {
        page.config.rules.push(Rule::default());
    }
    if let Some(error) = &page.rules_error {
        ui.label(RichText::new(error).color(super::palette::ERROR));
    }
}
