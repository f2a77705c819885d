use std::net::SocketAddr;

use mock_devices::{AuthMode, DeviceConfig, InjectedFault, MockDevice, Persona};

use crate::support::*;

async fn open_device(persona: &str) -> MockDevice {
    let persona = Persona::builtin(persona).unwrap();
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    MockDevice::start(DeviceConfig::new(persona, bind).auth(AuthMode::None))
        .await
        .unwrap()
}

#[tokio::test]
async fn device_information_and_network_identity_come_from_the_persona() {
    let dev = open_device("axis-p3265-lve").await;
    let addr = dev.addr();
    let info = call(addr, "GetDeviceInformation", "").await;
    info.assert_ok();
    assert_eq!(
        [
            info.first("Manufacturer"),
            info.first("Model"),
            info.first("FirmwareVersion"),
            info.first("SerialNumber")
        ],
        ["AXIS", "P3265-LVE", "11.8.64", "ACCC8E9F3A21"]
    );
    let nics = call(addr, "GetNetworkInterfaces", "").await;
    nics.assert_ok();
    assert_eq!(nics.first("HwAddress"), "AC:CC:8E:9F:3A:21");
    assert_eq!(
        nics.first("Address"),
        "127.0.0.1",
        "the device reports where it is reached"
    );
    assert_eq!(nics.first("DHCP"), "false");
    assert!(
        nics.text().contains("SOAP-ENV:Envelope"),
        "Axis uses the gSOAP prefix"
    );
}

#[tokio::test]
async fn get_services_lists_the_personas_services_on_the_devices_own_address() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    let plain = call(
        addr,
        "GetServices",
        "<d:IncludeCapability>false</d:IncludeCapability>",
    )
    .await;
    plain.assert_ok();
    assert_eq!(
        plain.texts("Namespace"),
        [
            "http://www.onvif.org/ver10/device/wsdl",
            "http://www.onvif.org/ver10/media/wsdl",
            "http://www.onvif.org/ver20/media/wsdl",
            "http://www.onvif.org/ver10/recording/wsdl",
            "http://www.onvif.org/ver20/imaging/wsdl",
        ]
    );
    assert_eq!(
        plain.texts("XAddr")[1],
        format!("http://{addr}/onvif/Media")
    );
    assert!(!plain.text().contains("Capabilities"));
    let full = call(
        addr,
        "GetServices",
        "<d:IncludeCapability>true</d:IncludeCapability>",
    )
    .await;
    full.assert_ok();
    assert!(
        full.text().contains("MaximumNumberOfProfiles=\"10\""),
        "{}",
        full.text()
    );
    assert!(full.text().contains("HttpDigest=\"true\""));
    // IncludeCapability is required by the schema.
    call(addr, "GetServices", "")
        .await
        .assert_fault(400, &["Sender", "InvalidArgs"]);
}

#[tokio::test]
async fn get_capabilities_answers_by_category_and_refuses_missing_services() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    let all = call(addr, "GetCapabilities", "<d:Category>All</d:Category>").await;
    all.assert_ok();
    let xaddrs = all.texts("XAddr");
    assert_eq!(xaddrs[0], dev.xaddr());
    assert!(xaddrs.contains(&format!("http://{addr}/onvif/Recording")));
    let media = call(addr, "GetCapabilities", "<d:Category>Media</d:Category>").await;
    media.assert_ok();
    assert_eq!(media.texts("XAddr"), [format!("http://{addr}/onvif/Media")]);
    call(addr, "GetCapabilities", "<d:Category>PTZ</d:Category>")
        .await
        .assert_fault(500, &["Receiver", "ActionNotSupported", "NoSuchService"]);
}

#[tokio::test]
async fn hostname_dns_ntp_and_gateway_changes_are_read_back() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    call(addr, "SetHostname", "<d:Name>lobby-cam-02</d:Name>")
        .await
        .assert_ok();
    assert_eq!(
        call(addr, "GetHostname", "").await.first("Name"),
        "lobby-cam-02"
    );

    call(
        addr,
        "SetDNS",
        "<d:FromDHCP>false</d:FromDHCP><d:SearchDomain>site.example</d:SearchDomain>\
         <d:DNSManual><t:Type>IPv4</t:Type><t:IPv4Address>10.1.0.53</t:IPv4Address></d:DNSManual>\
         <d:DNSManual><t:Type>IPv6</t:Type><t:IPv6Address>2001:db8::53</t:IPv6Address></d:DNSManual>",
    )
    .await
    .assert_ok();
    let dns = call(addr, "GetDNS", "").await;
    assert_eq!(dns.texts("IPv4Address"), ["10.1.0.53"]);
    assert_eq!(dns.texts("IPv6Address"), ["2001:db8::53"]);
    assert_eq!(dns.texts("SearchDomain"), ["site.example"]);

    call(
        addr,
        "SetNTP",
        "<d:FromDHCP>false</d:FromDHCP><d:NTPManual><t:Type>DNS</t:Type><t:DNSname>ntp.site.example</t:DNSname></d:NTPManual>\
         <d:NTPManual><t:Type>IPv4</t:Type><t:IPv4Address>10.1.0.123</t:IPv4Address></d:NTPManual>",
    )
    .await
    .assert_ok();
    let ntp = call(addr, "GetNTP", "").await;
    assert_eq!(ntp.texts("DNSname"), ["ntp.site.example"]);
    assert_eq!(ntp.texts("IPv4Address"), ["10.1.0.123"]);

    call(
        addr,
        "SetNetworkDefaultGateway",
        "<d:IPv4Address>10.1.0.1</d:IPv4Address>",
    )
    .await
    .assert_ok();
    assert_eq!(
        call(addr, "GetNetworkDefaultGateway", "")
            .await
            .texts("IPv4Address"),
        ["10.1.0.1"]
    );
}

#[tokio::test]
async fn invalid_network_values_get_the_faults_a_device_sends() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    call(addr, "SetHostname", "<d:Name>bad_name!</d:Name>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidHostname"]);
    call(
        addr,
        "SetDNS",
        "<d:FromDHCP>false</d:FromDHCP><d:DNSManual><t:Type>IPv4</t:Type><t:IPv4Address>10.1.0.300</t:IPv4Address></d:DNSManual>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidIPv4Address"]);
    call(
        addr,
        "SetNetworkDefaultGateway",
        "<d:IPv4Address>224.0.0.1</d:IPv4Address>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidGatewayAddress"]);
    call(
        addr,
        "SetNTP",
        "<d:FromDHCP>false</d:FromDHCP><d:NTPManual><t:Type>DNS</t:Type><t:DNSname>-bad-</t:DNSname></d:NTPManual>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidDnsName"]);
    call(
        addr,
        "SetNetworkInterfaces",
        "<d:InterfaceToken>eth9</d:InterfaceToken><d:NetworkInterface/>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidNetworkInterface"]);
    // Nothing changed.
    assert_eq!(
        call(addr, "GetHostname", "").await.first("Name"),
        "IPCamera"
    );
}

#[tokio::test]
async fn a_new_loopback_address_moves_the_device_there() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let dev = MockDevice::start(
        DeviceConfig::new(persona, "127.0.9.10:0".parse().unwrap()).auth(AuthMode::None),
    )
    .await
    .unwrap();
    let old = dev.addr();
    let set = call(
        old,
        "SetNetworkInterfaces",
        "<d:InterfaceToken>eth0</d:InterfaceToken><d:NetworkInterface><t:IPv4><t:Enabled>true</t:Enabled>\
         <t:Manual><t:Address>127.0.9.11</t:Address><t:PrefixLength>16</t:PrefixLength></t:Manual>\
         <t:DHCP>false</t:DHCP></t:IPv4></d:NetworkInterface>",
    )
    .await;
    set.assert_ok();
    assert_eq!(set.first("RebootNeeded"), "false");
    let new: SocketAddr = format!("127.0.9.11:{}", old.port()).parse().unwrap();
    assert_eq!(dev.addr(), new);
    let nics = call(new, "GetNetworkInterfaces", "").await;
    assert_eq!(nics.first("Address"), "127.0.9.11");
    assert_eq!(nics.first("PrefixLength"), "16");
    assert_eq!(
        call(new, "GetCapabilities", "").await.texts("XAddr")[0],
        dev.xaddr()
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        tokio::net::TcpStream::connect(old).await.is_err(),
        "the old address is released"
    );
}

/// A real camera reboots onto its new address and is gone meanwhile (neither address
/// answers); camswap must follow it with a deadline, not find it there at once.
#[tokio::test]
async fn a_move_delay_keeps_the_device_away_from_both_addresses_until_it_answers_at_the_new_one() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let dev = MockDevice::start(
        DeviceConfig::new(persona, "127.0.9.12:0".parse().unwrap()).auth(AuthMode::None),
    )
    .await
    .unwrap();
    dev.set_fault(InjectedFault::MoveDelay(std::time::Duration::from_millis(
        1200,
    )));
    let old = dev.addr();
    let started = std::time::Instant::now();
    call(
        old,
        "SetNetworkInterfaces",
        "<d:InterfaceToken>eth0</d:InterfaceToken><d:NetworkInterface><t:IPv4><t:Enabled>true</t:Enabled>\
         <t:Manual><t:Address>127.0.9.13</t:Address><t:PrefixLength>16</t:PrefixLength></t:Manual>\
         <t:DHCP>false</t:DHCP></t:IPv4></d:NetworkInterface>",
    )
    .await
    .assert_ok();
    let new: SocketAddr = format!("127.0.9.13:{}", old.port()).parse().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!dev.is_up(), "rebooting onto the new address");
    assert!(tokio::net::TcpStream::connect(old).await.is_err());
    assert!(tokio::net::TcpStream::connect(new).await.is_err());
    while tokio::net::TcpStream::connect(new).await.is_err() {
        assert!(started.elapsed().as_secs() < 10, "never came back at {new}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1200),
        "back after {:?}, before the delay",
        started.elapsed()
    );
    let nics = call(new, "GetNetworkInterfaces", "").await;
    nics.assert_ok();
    assert_eq!(nics.first("Address"), "127.0.9.13");
    assert!(dev.is_up());
}

#[tokio::test]
async fn scopes_keep_fixed_ones_and_change_configurable_ones() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    let v0 = dev.metadata_version();
    call(
        addr,
        "SetScopes",
        "<d:Scopes>onvif://www.onvif.org/name/Lobby</d:Scopes><d:Scopes>onvif://www.onvif.org/location/building/hq</d:Scopes>",
    )
    .await
    .assert_ok();
    call(
        addr,
        "AddScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/floor/2</d:ScopeItem>",
    )
    .await
    .assert_ok();
    let removed = call(
        addr,
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/name/Lobby</d:ScopeItem>",
    )
    .await;
    removed.assert_ok();
    assert_eq!(
        removed.texts("ScopeItem"),
        ["onvif://www.onvif.org/name/Lobby"]
    );
    let scopes = call(addr, "GetScopes", "").await;
    let defs = scopes.texts("ScopeDef");
    let items = scopes.texts("ScopeItem");
    let configurable: Vec<_> = defs
        .iter()
        .zip(&items)
        .filter(|(d, _)| *d == "Configurable")
        .map(|(_, i)| i.as_str())
        .collect();
    assert_eq!(
        configurable,
        [
            "onvif://www.onvif.org/location/building/hq",
            "onvif://www.onvif.org/location/floor/2"
        ]
    );
    assert!(items.contains(&"onvif://www.onvif.org/hardware/DS-2CD2143G2-I".to_string()));
    assert_eq!(
        dev.scopes(),
        items,
        "what discovery announces matches GetScopes"
    );
    assert!(dev.metadata_version() > v0);

    call(
        addr,
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2143G2-I</d:ScopeItem>",
    )
    .await
    .assert_fault(400, &["Sender", "OperationProhibited", "FixedScope"]);
    call(
        addr,
        "SetScopes",
        "<d:Scopes>onvif://www.onvif.org/Profile/Streaming</d:Scopes>",
    )
    .await
    .assert_fault(400, &["Sender", "OperationProhibited", "ScopeOverwrite"]);
    call(
        addr,
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/name/none</d:ScopeItem>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoScope"]);
    let many: String = (0..17)
        .map(|i| format!("<d:Scopes>onvif://www.onvif.org/x/{i}</d:Scopes>"))
        .collect();
    call(addr, "SetScopes", &many)
        .await
        .assert_fault(500, &["Receiver", "Action", "TooManyScopes"]);
}

#[tokio::test]
async fn users_are_created_changed_and_deleted_with_the_vendors_rules() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    let user = |name: &str, pass: &str, level: &str| {
        format!(
            "<d:User><t:Username>{name}</t:Username><t:Password>{pass}</t:Password><t:UserLevel>{level}</t:UserLevel></d:User>"
        )
    };
    // Hikvision: 8 to 16 characters, two character classes.
    call(addr, "CreateUsers", &user("vms", "password", "Operator"))
        .await
        .assert_fault(400, &["Sender", "OperationProhibited", "Password"]);
    call(
        addr,
        "CreateUsers",
        &user("vms", "Passw0rd-but-far-too-long", "Operator"),
    )
    .await
    .assert_fault(400, &["Sender", "OperationProhibited", "PasswordTooLong"]);
    call(addr, "CreateUsers", &user("guest", "Passw0rd", "Anonymous"))
        .await
        .assert_fault(
            400,
            &["Sender", "OperationProhibited", "AnonymousNotAllowed"],
        );
    // All or nothing: the second user clashes, so the first is not created either.
    let both = user("vms", "Passw0rd", "Operator") + &user("admin", "Passw0rd", "User");
    call(addr, "CreateUsers", &both)
        .await
        .assert_fault(400, &["Sender", "OperationProhibited", "UsernameClash"]);
    assert_eq!(
        call(addr, "GetUsers", "").await.texts("Username"),
        ["admin"]
    );

    call(addr, "CreateUsers", &user("vms", "Passw0rd", "Operator"))
        .await
        .assert_ok();
    call(addr, "SetUser", &user("vms", "Passw0rd2", "User"))
        .await
        .assert_ok();
    assert_eq!(
        call(addr, "GetUsers", "").await.texts("UserLevel"),
        ["Administrator", "User"]
    );
    call(addr, "DeleteUsers", "<d:Username>admin</d:Username>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "FixedUser"]);
    call(addr, "DeleteUsers", "<d:Username>ghost</d:Username>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "UsernameMissing"]);
    call(addr, "DeleteUsers", "<d:Username>vms</d:Username>")
        .await
        .assert_ok();
    assert_eq!(
        call(addr, "GetUsers", "").await.texts("Username"),
        ["admin"]
    );
}

#[tokio::test]
async fn set_system_date_and_time_moves_the_device_clock() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    let set = "<d:DateTimeType>Manual</d:DateTimeType><d:DaylightSavings>false</d:DaylightSavings>\
               <d:TimeZone><t:TZ>GMT0</t:TZ></d:TimeZone>\
               <d:UTCDateTime><t:Time><t:Hour>12</t:Hour><t:Minute>0</t:Minute><t:Second>0</t:Second></t:Time>\
               <t:Date><t:Year>2030</t:Year><t:Month>6</t:Month><t:Day>1</t:Day></t:Date></d:UTCDateTime>";
    call(addr, "SetSystemDateAndTime", set).await.assert_ok();
    let now = call(addr, "GetSystemDateAndTime", "").await;
    assert_eq!(now.first("Year"), "2030");
    assert_eq!(now.first("TZ"), "GMT0");
    assert!(dev.clock_offset() > 100_000_000);
    let bad = set.replace("<t:Month>6</t:Month>", "<t:Month>13</t:Month>");
    call(addr, "SetSystemDateAndTime", &bad)
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidDateTime"]);
    let bad_tz = set.replace("GMT0", "not a zone");
    call(addr, "SetSystemDateAndTime", &bad_tz)
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidTimeZone"]);
    // Back to NTP: the clock follows real time again.
    call(
        addr,
        "SetSystemDateAndTime",
        "<d:DateTimeType>NTP</d:DateTimeType><d:DaylightSavings>false</d:DaylightSavings>",
    )
    .await
    .assert_ok();
    assert_eq!(dev.clock_offset(), 0);
    assert_eq!(
        call(addr, "GetSystemDateAndTime", "")
            .await
            .first("DateTimeType"),
        "NTP"
    );
}

#[tokio::test]
async fn a_factory_reset_forgets_users_and_a_soft_one_keeps_the_network() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let addr = dev.addr();
    call(addr, "SetHostname", "<d:Name>kept-name</d:Name>")
        .await
        .assert_ok();
    call(
        addr,
        "SetSystemFactoryDefault",
        "<d:FactoryDefault>Soft</d:FactoryDefault>",
    )
    .await
    .assert_ok();
    // Boot time in the persona is one second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(dev.is_up());
    assert!(
        call(addr, "GetUsers", "")
            .await
            .texts("Username")
            .is_empty()
    );
    assert_eq!(
        call(addr, "GetHostname", "").await.first("Name"),
        "kept-name"
    );
}

#[tokio::test]
async fn unknown_operations_malformed_xml_and_mismatched_actions_are_faults() {
    let dev = open_device("axis-p3265-lve").await;
    let addr = dev.addr();
    let unknown = call(addr, "GetStorageConfigurations", "").await;
    unknown.assert_fault(500, &["Receiver", "ActionNotSupported"]);
    // A media operation the mock does not implement.
    let media = http(
        addr,
        "POST",
        "/onvif/services",
        &[("Content-Type", "application/soap+xml".into())],
        envelope(
            "",
            "<m:GetOSDs xmlns:m=\"http://www.onvif.org/ver10/media/wsdl\"/>",
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    media.assert_fault(500, &["Receiver", "ActionNotSupported"]);

    let broken = http(
        addr,
        "POST",
        DEVICE_PATH,
        &[("Content-Type", "application/soap+xml".into())],
        b"<s:Envelope xmlns:s=\"x\"><s:Body>",
    )
    .await
    .unwrap();
    broken.assert_fault(400, &["Sender", "WellFormed"]);

    let mismatch = http(
        addr,
        "POST",
        DEVICE_PATH,
        &[(
            "Content-Type",
            format!("application/soap+xml; action=\"{TDS}/SetHostname\""),
        )],
        envelope("", &tds("GetHostname", "")).as_bytes(),
    )
    .await
    .unwrap();
    mismatch.assert_fault(400, &["Sender", "InvalidArgs"]);

    // media.wsdl misplaces the slash in four actions (`.../wsdlGetVideoSources/`); a client
    // that sends the WSDL's own action must be served, not refused.
    let wsdl_spelling = http(
        addr,
        "POST",
        "/onvif/services",
        &[(
            "Content-Type",
            "application/soap+xml; action=\"http://www.onvif.org/ver10/media/wsdlGetVideoSources/\""
                .into(),
        )],
        envelope(
            "",
            "<m:GetVideoSources xmlns:m=\"http://www.onvif.org/ver10/media/wsdl\"/>",
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        wsdl_spelling.status,
        200,
        "{}",
        String::from_utf8_lossy(&wsdl_spelling.body)
    );

    // The body's namespace decides: a tds element name in the wrong namespace is unknown.
    let wrong_ns = http(
        addr,
        "POST",
        DEVICE_PATH,
        &[],
        envelope("", "<GetHostname xmlns=\"urn:not-onvif\"/>").as_bytes(),
    )
    .await
    .unwrap();
    wrong_ns.assert_fault(500, &["Receiver", "ActionNotSupported"]);

    let soap11 = http(
        addr,
        "POST",
        DEVICE_PATH,
        &[("Content-Type", "text/xml".into())],
        b"<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body/></e:Envelope>",
    )
    .await
    .unwrap();
    soap11.assert_fault(500, &["VersionMismatch"]);

    let get = http(addr, "GET", DEVICE_PATH, &[], b"").await.unwrap();
    assert_eq!(get.status, 405);
    let elsewhere = http(addr, "POST", "/cgi-bin/magicBox.cgi", &[], b"")
        .await
        .unwrap();
    assert_eq!(elsewhere.status, 404);
}

#[tokio::test]
async fn any_prefix_and_keep_alive_requests_are_understood() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let body = format!(
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"{ENV}\"><SOAP-ENV:Body><GetHostname xmlns=\"{TDS}\"/></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    );
    let resp = http(dev.addr(), "POST", DEVICE_PATH, &[], body.as_bytes())
        .await
        .unwrap();
    resp.assert_ok();
    assert!(
        resp.text().contains("<env:Envelope"),
        "Hikvision answers with env:"
    );

    // Two requests on one connection.
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(dev.addr()).await.unwrap();
    let one = format!(
        "POST {DEVICE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(one.as_bytes()).await.unwrap();
    s.write_all(
        one.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut all = String::new();
    tokio::time::timeout(DEADLINE, s.read_to_string(&mut all))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 2, "{all}");
}

#[tokio::test]
async fn system_reboot_answers_first_then_goes_away_and_returns() {
    let dev = open_device("axis-p3265-lve").await;
    let addr = dev.addr();
    let resp = call(addr, "SystemReboot", "").await;
    resp.assert_ok();
    assert_eq!(resp.first("Message"), "Rebooting in 1 s");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(!dev.is_up());
    let deadline = std::time::Instant::now() + DEADLINE;
    while !dev.is_up() {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    call(addr, "GetHostname", "").await.assert_ok();
}

#[tokio::test]
async fn a_device_on_a_wildcard_address_reports_its_configured_address() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let dev = MockDevice::start(
        DeviceConfig::new(persona, "0.0.0.0:0".parse().unwrap())
            .auth(AuthMode::None)
            .factory(true),
    )
    .await
    .unwrap();
    let port = dev.addr().port();
    let local: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // The factory-default Hikvision address (DOMAIN.md 3f).
    assert_eq!(
        call(local, "GetNetworkInterfaces", "")
            .await
            .first("Address"),
        "192.168.1.64"
    );
    assert_eq!(
        dev.xaddr(),
        format!("http://192.168.1.64:{port}/onvif/device_service")
    );
    let caps = call(local, "GetCapabilities", "").await;
    assert_eq!(caps.texts("XAddr")[0], dev.xaddr());
}
