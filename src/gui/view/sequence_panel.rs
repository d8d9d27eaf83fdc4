//! The send sequence: its steps to edit, Run/Stop, the step running highlighted and each
//! step's result, and the file it is exported to and imported from.

use egui::{RichText, Ui};

use crate::codec::InputMode;
use crate::gui::i18n::{t, tf};
use crate::gui::model::page::{Page, PageAction, StepKind};
use crate::gui::view::{field_row, labelled_combo, labelled_field, palette, switch_button};
use crate::net::rules::MatchKind;
use crate::net::{SequenceOutcome, Step};

pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let running = page.is_sequence_running();
    let progress = page.sequence_progress().clone();
    let note = page.sequence_note().map(str::to_string);
    let dark = ui.visuals().dark_mode;
    // Rows wrap rather than widen the tool panel: one row too wide widened every row of the
    // panel past its edge (at 1024×768 in presentation, "Add expect" and the fields' ends).
    ui.horizontal_wrapped(|ui| {
        if switch_button(ui, running, [t("Run sequence"), t("Stop sequence")])
            .on_hover_text(t(
                "Runs the steps in order over this session, to where a typed message goes",
            ))
            .clicked()
        {
            actions.push(PageAction::ToggleSequence);
        }
        let mut rounds = page.config().sequence.rounds.to_string();
        if labelled_field(ui, t("Rounds"), &mut rounds, 40.0, !running)
            .on_hover_text(t("0: until stopped"))
            .changed()
        {
            page.config_mut().sequence.rounds = rounds.trim().parse().unwrap_or(1);
        }
    });
    let status = match (running, progress.ended) {
        (true, _) => Some(tf("round {n}", &[("n", &progress.round)])),
        (false, Some(SequenceOutcome::Passed { rounds })) => {
            Some(tf("passed ({n} rounds)", &[("n", &rounds)]))
        }
        (false, Some(SequenceOutcome::Failed { step, .. })) => {
            Some(tf("failed at step {n}", &[("n", &(step + 1))]))
        }
        (false, Some(SequenceOutcome::Stopped)) => Some(t("stopped").to_string()),
        (false, None) => None,
    };
    if let Some(status) = status {
        ui.label(status);
    }
    if let Some(note) = note {
        ui.label(RichText::new(note).color(palette::error(dark)));
    }
    ui.horizontal_wrapped(|ui| {
        for (kind, label, hint) in [
            (
                StepKind::Send,
                t("Add send"),
                t("A step that sends the message typed below"),
            ),
            (StepKind::Wait, t("Add wait"), t("A step that waits")),
            (
                StepKind::Expect,
                t("Add expect"),
                t("A step that waits for a reply that matches"),
            ),
        ] {
            if ui
                .add_enabled(!running, egui::Button::new(label))
                .on_hover_text(hint)
                .clicked()
            {
                actions.push(PageAction::AddStep(kind));
            }
        }
    });
    let config = page.config_mut();
    for (index, step) in config.sequence.steps.iter_mut().enumerate() {
        ui.push_id(("step", index), |ui| {
            ui.separator();
            let result = progress.results.get(index).cloned().flatten();
            let current = running && progress.current == Some(index);
            header(ui, index, step, current, result, running, actions);
            ui.add_enabled_ui(!running, |ui| fields(ui, step));
        });
    }
    ui.separator();
    field_row(
        ui,
        t("Sequence file"),
        &mut config.sequence_path,
        true,
        |_| {},
    );
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(t("Export steps"))
            .on_hover_text(t("Saves the steps as JSON, as --sequence FILE reads them"))
            .clicked()
        {
            actions.push(PageAction::ExportSequence);
        }
        if ui
            .add_enabled(!running, egui::Button::new(t("Import steps")))
            .clicked()
        {
            actions.push(PageAction::ImportSequence);
        }
    });
}

/// "2. Expect", its result, and the buttons that move or delete it; the running step is
/// highlighted.
fn header(
    ui: &mut Ui,
    index: usize,
    step: &Step,
    current: bool,
    result: Option<Result<(), String>>,
    running: bool,
    actions: &mut Vec<PageAction>,
) {
    let dark = ui.visuals().dark_mode;
    let fill = if current {
        ui.visuals().selection.bg_fill
    } else {
        egui::Color32::TRANSPARENT
    };
    egui::Frame::new().fill(fill).show(ui, |ui| {
        ui.horizontal(|ui| {
            let name = match step {
                Step::Send { .. } => t("Send"),
                Step::Wait { .. } => t("Wait"),
                Step::Expect { .. } => t("Expect"),
            };
            ui.strong(format!("{}. {name}", index + 1));
            match result {
                Some(Ok(())) => {
                    ui.label(RichText::new(t("passed")).color(palette::received(dark)));
                }
                Some(Err(why)) => {
                    ui.label(RichText::new(t("failed")).color(palette::error(dark)))
                        .on_hover_text(why);
                }
                None if current => {
                    ui.label(t("running"));
                }
                None => {}
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.add_enabled_ui(!running, |ui| {
                    if ui
                        .small_button("×")
                        .on_hover_text(t("Delete this step"))
                        .clicked()
                    {
                        actions.push(PageAction::RemoveStep(index));
                    }
                    if index > 0
                        && ui
                            .small_button(t("Up"))
                            .on_hover_text(t("Move this step up"))
                            .clicked()
                    {
                        actions.push(PageAction::MoveStepUp(index));
                    }
                });
            });
        });
    });
}

/// What the step does, to edit.
fn fields(ui: &mut Ui, step: &mut Step) {
    match step {
        Step::Send { text, format } => {
            field_row(ui, t("Message"), text, true, |ui| {
                let mut hex = format.mode == InputMode::Hex;
                if ui.checkbox(&mut hex, t("Hex")).changed() {
                    format.mode = if hex { InputMode::Hex } else { InputMode::Text };
                }
            });
        }
        Step::Wait { ms } => {
            ui.horizontal(|ui| number(ui, t("Wait ms"), ms));
        }
        Step::Expect {
            kind,
            pattern,
            timeout_ms,
        } => {
            ui.horizontal(|ui| {
                labelled_combo(ui, t("Match"), t(kind.label()), |ui| {
                    for choice in MatchKind::ALL {
                        ui.selectable_value(kind, choice, t(choice.label()));
                    }
                });
            });
            if *kind != MatchKind::Any {
                field_row(ui, t("Pattern"), pattern, true, |_| {});
            }
            ui.horizontal(|ui| number(ui, t("Within ms"), timeout_ms));
        }
    }
}

/// A number of milliseconds, typed.
fn number(ui: &mut Ui, label: &str, value: &mut u64) {
    let mut text = value.to_string();
    if labelled_field(ui, label, &mut text, 60.0, true).changed() {
        *value = text.trim().parse().unwrap_or(0);
    }
}
