//! Build script of `pyo3-ft-runtime`: finds the interpreter to build against,
//! reads its configuration once, and tells cargo about it.

// `cache` is shared with the xtask, which also creates provisioned prefixes.
#[allow(dead_code)]
mod cache;
mod config;
mod discover;
mod headers;

fn main() {
    for var in discover::ENV_VARS {
        println!("cargo:rerun-if-env-changed={var}");
    }
    for var in [headers::ENV_HEADERS, headers::ENV_FREE_THREADED] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if let Some(set) = headers::HeaderSet::from_env() {
        let config = match set {
            Ok(set) => config::InterpreterConfig::from_headers(&set),
            Err(message) => fail(&message),
        };
        println!("cargo:rerun-if-changed={}", config.include.display());
        if let Err(message) = config.check_supported(&format!("${}", headers::ENV_HEADERS)) {
            fail(&message);
        }
        config.emit();
        return;
    }
    let found = match discover::find_interpreter() {
        Ok(found) => found,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(1);
        }
    };
    println!("cargo:rerun-if-changed={}", found.python.display());
    let config = match config::InterpreterConfig::read(&found.python) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    };
    if let Err(message) = config.check_supported(&found.origin) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
    config.emit();
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
