//! tokenscope: a terminal playground for seeing what a language model really does.
//!
//! The binary (`src/main.rs`) is thin; everything lives here so that tests can drive it.
//! Shape: key → `keymap` → `Action` → `state::update` → `Effect`s → the model worker thread
//! (`engine`) → `Reply` → `state::update`; `ui::render` only reads the state.

pub mod action;
pub mod app;
pub mod chat;
pub mod cli;
pub mod editor;
pub mod endpoint;
pub mod engine;
pub mod export;
pub mod gguf;
pub mod i18n;
pub mod keymap;
pub mod marian;
pub mod model;
pub mod pieces;
pub mod playground;
pub mod registry;
pub mod sampling;
pub mod session_file;
pub mod state;
pub mod tokenizer;
pub mod ui;
