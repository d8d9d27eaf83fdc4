//! Rows of widget groups that never break a group: groups are laid out in order while they fit,
//! and the rest either go into a "»" menu at the row's end (toolbars) or onto the next row. A
//! group's width is measured when it is drawn and remembered, because egui cannot wrap a group
//! whose size it does not know yet.

use egui::{Id, Ui};

use crate::gui::i18n::t;

/// Width assumed for a group not drawn yet (it is measured the first time it is drawn).
const UNKNOWN_WIDTH: f32 = 80.0;

/// Draws `groups` in one row; those that do not fit go into a "»" menu at its end.
pub fn row<G: Copy>(ui: &mut Ui, id_salt: &str, groups: &[G], mut draw: impl FnMut(&mut Ui, G)) {
    let id = Id::unique(("overflow", id_salt));
    let mut widths = remembered(ui, id, groups.len());
    let spacing = ui.spacing().item_spacing.x;
    let menu_width = ui.spacing().interact_size.x.min(32.0) + spacing;
    let available = ui.available_width();
    let mut used = 0.0;
    let mut fitting = groups.len();
    for (index, width) in widths.iter().enumerate() {
        let room_for_menu = if index + 1 < groups.len() {
            menu_width
        } else {
            0.0
        };
        if used + width + room_for_menu > available {
            fitting = index;
            break;
        }
        used += width + spacing;
    }
    ui.horizontal(|ui| {
        for (index, group) in groups.iter().enumerate().take(fitting) {
            widths[index] = ui.horizontal(|ui| draw(ui, *group)).response.rect.width();
        }
        if fitting < groups.len() {
            // Widths are measured in the row only: measured in the menu, the groups can seem to
            // fit the row (seen in Chinese), and the "»" went away with its menu as it opened.
            ui.menu_button("»", |ui| {
                for group in groups.iter().skip(fitting) {
                    ui.horizontal(|ui| draw(ui, *group));
                }
            })
            .response
            .on_hover_text(t("More tools"));
        }
    });
    ui.data_mut(|d| d.insert_temp(id, widths));
}

/// Draws `groups` in as many rows as they need, a group never split between two rows.
pub fn wrap<G: Copy>(ui: &mut Ui, id_salt: &str, groups: &[G], mut draw: impl FnMut(&mut Ui, G)) {
    let id = Id::unique(("wrap", id_salt));
    let mut widths = remembered(ui, id, groups.len());
    let spacing = ui.spacing().item_spacing.x;
    let available = ui.available_width();
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (index, width) in widths.iter().enumerate() {
        let row_started = rows.last().is_some_and(|row| !row.is_empty());
        if row_started && used + width > available {
            rows.push(Vec::new());
            used = 0.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(index);
        }
        used += width + spacing;
    }
    for row in rows {
        ui.horizontal(|ui| {
            for index in row {
                widths[index] = ui
                    .horizontal(|ui| draw(ui, groups[index]))
                    .response
                    .rect
                    .width();
            }
        });
    }
    ui.data_mut(|d| d.insert_temp(id, widths));
}

fn remembered(ui: &Ui, id: Id, len: usize) -> Vec<f32> {
    let mut widths: Vec<f32> = ui.data(|d| d.get_temp::<Vec<f32>>(id)).unwrap_or_default();
    widths.resize(len, UNKNOWN_WIDTH);
    widths
}
