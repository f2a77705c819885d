//! Every response the device service gives, success and fault, for every built-in persona,
//! checked with `shared/tools/onvif-validate` against the official ONVIF schemas.

use std::net::SocketAddr;

use mock_devices::{AuthMode, DeviceConfig, MockDevice, Persona};

use crate::support::*;

/// (operation, request content, expected HTTP status).
const CALLS: &[(&str, &str, u16)] = &[
    ("GetSystemDateAndTime", "", 200),
    ("GetDeviceInformation", "", 200),
    (
        "GetServices",
        "<d:IncludeCapability>false</d:IncludeCapability>",
        200,
    ),
    (
        "GetServices",
        "<d:IncludeCapability>true</d:IncludeCapability>",
        200,
    ),
    ("GetServiceCapabilities", "", 200),
    ("GetWsdlUrl", "", 200),
    ("GetCapabilities", "", 200),
    ("GetCapabilities", "<d:Category>Media</d:Category>", 200),
    (
        "GetCapabilities",
        "<d:Category>Device</d:Category><d:Category>Imaging</d:Category>",
        200,
    ),
    ("GetNetworkInterfaces", "", 200),
    ("GetNetworkDefaultGateway", "", 200),
    ("GetHostname", "", 200),
    ("GetDNS", "", 200),
    ("GetNTP", "", 200),
    ("GetScopes", "", 200),
    ("GetUsers", "", 200),
    ("SetHostname", "<d:Name>cam-7</d:Name>", 200),
    (
        "SetDNS",
        "<d:FromDHCP>false</d:FromDHCP><d:DNSManual><t:Type>IPv4</t:Type><t:IPv4Address>10.0.0.53</t:IPv4Address></d:DNSManual>",
        200,
    ),
    (
        "SetNTP",
        "<d:FromDHCP>false</d:FromDHCP><d:NTPManual><t:Type>DNS</t:Type><t:DNSname>ntp.example</t:DNSname></d:NTPManual>",
        200,
    ),
    (
        "SetNetworkDefaultGateway",
        "<d:IPv4Address>10.0.0.1</d:IPv4Address>",
        200,
    ),
    (
        "SetNetworkInterfaces",
        "<d:InterfaceToken>eth0</d:InterfaceToken><d:NetworkInterface><t:MTU>1400</t:MTU></d:NetworkInterface>",
        200,
    ),
    (
        "SetScopes",
        "<d:Scopes>onvif://www.onvif.org/location/site/a</d:Scopes>",
        200,
    ),
    (
        "AddScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/floor/1</d:ScopeItem>",
        200,
    ),
    (
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/floor/1</d:ScopeItem>",
        200,
    ),
    (
        "CreateUsers",
        "<d:User><t:Username>op</t:Username><t:Password>Op-pass12</t:Password><t:UserLevel>Operator</t:UserLevel></d:User>",
        200,
    ),
    (
        "SetUser",
        "<d:User><t:Username>op</t:Username><t:Password>Op-pass34</t:Password><t:UserLevel>User</t:UserLevel></d:User>",
        200,
    ),
    ("DeleteUsers", "<d:Username>op</d:Username>", 200),
    (
        "SetSystemDateAndTime",
        "<d:DateTimeType>Manual</d:DateTimeType><d:DaylightSavings>false</d:DaylightSavings><d:TimeZone><t:TZ>UTC0</t:TZ></d:TimeZone>",
        200,
    ),
    // Faults.
    ("GetStorageConfigurations", "", 500),
    ("SetHostname", "<d:Name>no_underscores</d:Name>", 400),
    (
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/nothing</d:ScopeItem>",
        400,
    ),
    (
        "CreateUsers",
        "<d:User><t:Username>admin</t:Username><t:Password>Op-pass12</t:Password><t:UserLevel>User</t:UserLevel></d:User>",
        400,
    ),
    ("GetCapabilities", "<d:Category>Analytics</d:Category>", 500),
];

#[tokio::test]
async fn every_response_validates_against_the_onvif_schemas() {
    let Some((tool, schema_dir)) = validator() else {
        eprintln!(
            "skipped: xmllint or shared/tools/onvif-validate not found (set ONVIF_SCHEMA_DIR to require it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let dev = MockDevice::start(DeviceConfig::new(persona.clone(), bind).auth(AuthMode::None))
            .await
            .unwrap();
        for (i, (op, inner, status)) in CALLS.iter().enumerate() {
            let resp = call(dev.addr(), op, inner).await;
            assert_eq!(resp.status, *status, "{name} {op}: {}", resp.text());
            let path = dir.path().join(format!("{name}-{i:02}-{op}.xml"));
            std::fs::write(&path, &resp.body).unwrap();
            files.push(path);
        }
        // Faults raised before dispatch: credentials and XML.
        let guarded = MockDevice::start(DeviceConfig::new(persona, bind).auth(AuthMode::Wsse))
            .await
            .unwrap();
        let refused = call(guarded.addr(), "GetUsers", "").await;
        assert_eq!(refused.status, 400);
        let malformed = http(guarded.addr(), "POST", DEVICE_PATH, &[], b"<oops")
            .await
            .unwrap();
        for (label, resp) in [("notauthorized", refused), ("wellformed", malformed)] {
            let path = dir.path().join(format!("{name}-{label}.xml"));
            std::fs::write(&path, &resp.body).unwrap();
            files.push(path);
        }
    }
    let mut cmd = std::process::Command::new(&tool);
    if let Some(schemas) = schema_dir {
        cmd.env("ONVIF_SCHEMA_ROOT", schemas);
    }
    let out = cmd.args(&files).output().expect("onvif-validate runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let valid = stdout.lines().filter(|l| l.ends_with(": valid")).count();
    assert!(
        out.status.success() && valid == files.len(),
        "{valid} of {} responses valid\nstdout:\n{stdout}\nstderr:\n{stderr}",
        files.len()
    );
}
