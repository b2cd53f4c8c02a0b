//! The README's key table is generated from the keymap: it can never disagree with the code.
//! Regenerate with `UPDATE_README=1 cargo test --test readme`.

use tokenscope::i18n::Lang;
use tokenscope::keymap;

const BEGIN: &str = "<!-- keys:begin (generated from src/keymap.rs by tests/readme.rs) -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn readme_key_table_matches_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme.find(BEGIN).expect("keys:begin marker in README.md") + BEGIN.len();
    let end = readme.find(END).expect("keys:end marker in README.md");
    let table = keymap::markdown(Lang::En);
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], table, &readme[end..]);
        std::fs::write(path, updated).expect("writing README.md");
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README key table is stale: run UPDATE_README=1 cargo test --test readme"
    );
}
