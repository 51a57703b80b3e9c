mod common;

use common::*;

#[test]
fn secrets_are_reported_where_written() {
    let l = load("secrets");
    let find = |res: &str, attr: &str| {
        l.secrets
            .iter()
            .find(|s| s.resource == res && s.attribute == attr)
            .unwrap_or_else(|| panic!("no secret {res} {attr}: {:?}", l.secrets))
    };
    let d = find("var.db_password", "default");
    assert_eq!((d.loc.file.as_ref(), d.loc.line), ("secrets/main.tf", 2));
    assert_eq!(d.value.expose(), "Xy7#kLm92!qRt");
    let t = find("var.api", "default.token");
    assert_eq!(t.loc.line, 6);
    find("local.master_password", "master_password");
    find("provider.aws", "access_key");
    find("provider.aws", "secret_key");
    find("aws_db_instance.lit", "password");
    find("aws_db_instance.lit", "description");
    let tv = find("var.db_password", "db_password");
    assert_eq!(tv.loc.file.as_ref(), "secrets/terraform.tfvars");
    // Uses of a variable are not reported again; placeholders and safe names are not secrets.
    assert!(!l.secrets.iter().any(|s| s.resource == "aws_db_instance.db"));
    assert!(!l
        .secrets
        .iter()
        .any(|s| s.resource == "var.placeholder_password"));
    assert!(!l.secrets.iter().any(|s| s.attribute == "password_length"));
    assert!(!l.secrets.iter().any(|s| s.attribute.ends_with("name")));
}

#[test]
fn secret_values_never_appear_in_diagnostics() {
    let l = load("secrets");
    let values: Vec<String> = l
        .secrets
        .iter()
        .map(|s| s.value.expose().to_string())
        .collect();
    assert!(!values.is_empty());
    let text = format!(
        "{:?} {:?} {:?} {:?}",
        l.errors, l.notes, l.unknowns, l.secrets
    );
    for v in values {
        assert!(!text.contains(&v), "secret leaked into diagnostics");
    }
}

#[test]
fn json_variable_defaults_are_scanned() {
    let l = load("json");
    assert!(l
        .secrets
        .iter()
        .any(|s| s.resource == "var.admin_password" && s.attribute == "default"));
}

/// `{name, value}` environment variables (ECS container definitions in
/// `jsonencode` or a JSON heredoc, Kubernetes provider `env` blocks),
/// SecureString parameters and `NAME=value` lines of heredoc scripts were
/// not recognised as secrets, so nothing reported them and snippets
/// showed them.
#[test]
fn environment_pairs_json_strings_and_secure_parameters() {
    let l = load("secrets_pairs");
    let found: Vec<(&str, &str, &str, u32)> = l
        .secrets
        .iter()
        .map(|s| {
            (
                s.resource.as_str(),
                s.attribute.as_str(),
                s.value.expose(),
                s.loc.line,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "aws_ecs_task_definition.app",
                "container_definitions[0].environment[0].value",
                "EcsJsonEnvPw-2Xc9v",
                7
            ),
            (
                "aws_ecs_task_definition.heredoc",
                "container_definitions[0].environment[0].value",
                "HeredocJsonTok-8Kw3",
                15
            ),
            (
                "kubernetes_deployment.app",
                "spec.template.spec.container.env.value",
                "K8sProviderEnvPw-4Tz",
                36
            ),
            (
                "aws_ssm_parameter.secure",
                "value",
                "SsmSecureValue-0aB7c",
                47
            ),
            (
                "aws_instance.app",
                "user_data[DB_PASSWORD]",
                "UserDataExportPw-5Tq",
                69
            ),
        ],
        "{found:#?}"
    );
}
