use std::net::SocketAddr;

use mock_devices::{AuthMode, DeviceConfig, MockDevice, Persona, UserLevel, UserSpec};

use crate::support::*;

async fn start(persona: &str, edit: impl FnOnce(DeviceConfig) -> DeviceConfig) -> MockDevice {
    let persona = Persona::builtin(persona).unwrap();
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    MockDevice::start(edit(DeviceConfig::new(persona, bind)))
        .await
        .unwrap()
}

#[tokio::test]
async fn digest_md5_accepts_the_password_and_rejects_a_wrong_one() {
    let dev = start("hikvision-ds2cd2143g2", |c| c).await;
    let addr = dev.addr();

    let challenge = call(addr, "GetDeviceInformation", "").await;
    assert_eq!(challenge.status, 401);
    let values = challenge.headers_named("WWW-Authenticate");
    assert_eq!(values.len(), 1, "Hikvision offers MD5 only");
    let ch = parse_challenge(values[0]);
    assert_eq!(
        (ch.algorithm.as_str(), ch.qop.as_str(), ch.stale),
        ("MD5", "auth", false)
    );
    assert_eq!(challenge.header("Server"), Some("App-webs/"));

    let ok = call_digest(addr, USER, PASS, "GetDeviceInformation", "").await;
    ok.assert_ok();
    assert_eq!(ok.first("Manufacturer"), "HIKVISION");
    assert_eq!(ok.first("HardwareId"), "88");

    let wrong = call_digest(addr, USER, "not-the-password", "GetDeviceInformation", "").await;
    assert_eq!(wrong.status, 401);
    let unknown = call_digest(addr, "mallory", PASS, "GetDeviceInformation", "").await;
    assert_eq!(unknown.status, 401);
}

#[tokio::test]
async fn digest_sha256_is_offered_first_and_both_algorithms_work() {
    let dev = start("axis-p3265-lve", |c| c).await;
    let addr = dev.addr();
    let first = call(addr, "GetHostname", "").await;
    let algs: Vec<String> = first
        .headers_named("WWW-Authenticate")
        .iter()
        .map(|v| parse_challenge(v).algorithm)
        .collect();
    assert_eq!(algs, ["SHA-256", "MD5"]);
    for pick in 0..2 {
        let first = call(addr, "GetHostname", "").await;
        let ch = parse_challenge(first.headers_named("WWW-Authenticate")[pick]);
        let auth = authorization(&ch, USER, PASS, DEVICE_PATH, 1);
        let resp = post(
            addr,
            "",
            &tds("GetHostname", ""),
            &[("Authorization", auth)],
        )
        .await;
        resp.assert_ok();
        assert_eq!(resp.first("Name"), "axis-accc8e9f3a21");
    }
}

#[tokio::test]
async fn digest_nonce_count_replay_is_rejected_and_a_higher_count_is_not() {
    let dev = start("hikvision-ds2cd2143g2", |c| c).await;
    let addr = dev.addr();
    let ch = parse_challenge(
        call(addr, "GetHostname", "")
            .await
            .headers_named("WWW-Authenticate")[0],
    );
    let send = |nc| {
        let auth = authorization(&ch, USER, PASS, DEVICE_PATH, nc);
        async move {
            post(
                addr,
                "",
                &tds("GetHostname", ""),
                &[("Authorization", auth)],
            )
            .await
        }
    };
    send(1).await.assert_ok();
    let replay = send(1).await;
    assert_eq!(replay.status, 401, "same nonce, same nc");
    assert!(!parse_challenge(replay.headers_named("WWW-Authenticate")[0]).stale);
    send(2).await.assert_ok();
}

#[tokio::test]
async fn digest_for_another_uri_is_rejected() {
    let dev = start("hikvision-ds2cd2143g2", |c| c).await;
    let addr = dev.addr();
    let ch = parse_challenge(
        call(addr, "GetHostname", "")
            .await
            .headers_named("WWW-Authenticate")[0],
    );
    let auth = authorization(&ch, USER, PASS, "/onvif/Media", 1);
    let resp = post(
        addr,
        "",
        &tds("GetHostname", ""),
        &[("Authorization", auth)],
    )
    .await;
    assert_eq!(resp.status, 401);
}

#[tokio::test]
async fn an_expired_digest_nonce_is_answered_with_stale_true() {
    let mut persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    persona.auth.nonce_lifetime_seconds = 1;
    let dev = MockDevice::start(DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let addr = dev.addr();
    let ch = parse_challenge(
        call(addr, "GetHostname", "")
            .await
            .headers_named("WWW-Authenticate")[0],
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let auth = authorization(&ch, USER, PASS, DEVICE_PATH, 1);
    let resp = post(
        addr,
        "",
        &tds("GetHostname", ""),
        &[("Authorization", auth)],
    )
    .await;
    assert_eq!(resp.status, 401);
    let fresh = parse_challenge(resp.headers_named("WWW-Authenticate")[0]);
    assert!(fresh.stale, "the digest was right, only the nonce aged");
    assert_ne!(fresh.nonce, ch.nonce);
    let auth = authorization(&fresh, USER, PASS, DEVICE_PATH, 1);
    post(
        addr,
        "",
        &tds("GetHostname", ""),
        &[("Authorization", auth)],
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn username_token_needs_nonce_and_created_and_the_right_password() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.auth(AuthMode::Wsse)).await;
    let addr = dev.addr();

    let none = call(addr, "GetDeviceInformation", "").await;
    none.assert_fault(400, &["Sender", "NotAuthorized"]);
    assert!(
        none.header("WWW-Authenticate").is_none(),
        "UsernameToken-only devices do not challenge"
    );

    call_wsse(addr, USER, PASS, 0, "GetDeviceInformation", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, "wrong", 0, "GetDeviceInformation", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);

    let full = wsse_now(USER, PASS, 0);
    let no_nonce = full.split("<wsse:Nonce>").next().unwrap().to_string()
        + &full[full.find("<wsu:Created>").unwrap()..];
    post(addr, &no_nonce, &tds("GetDeviceInformation", ""), &[])
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    let no_created = full[..full.find("<wsu:Created>").unwrap()].to_string()
        + "</wsse:UsernameToken></wsse:Security>";
    post(addr, &no_created, &tds("GetDeviceInformation", ""), &[])
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
}

#[tokio::test]
async fn username_token_nonce_replay_is_rejected() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.auth(AuthMode::Wsse)).await;
    let token = wsse_now(USER, PASS, 0);
    post(dev.addr(), &token, &tds("GetHostname", ""), &[])
        .await
        .assert_ok();
    post(dev.addr(), &token, &tds("GetHostname", ""), &[])
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
}

#[tokio::test]
async fn created_is_checked_against_the_device_clock_within_the_skew_window() {
    // Device clock 1000 s ahead; the persona allows 300 s of skew.
    let dev = start("hikvision-ds2cd2143g2", |c| {
        c.auth(AuthMode::Wsse).clock_offset(1000)
    })
    .await;
    let addr = dev.addr();
    call_wsse(addr, USER, PASS, 0, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    call_wsse(addr, USER, PASS, 1000, "GetHostname", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, PASS, 1000 - 290, "GetHostname", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, PASS, 1000 + 290, "GetHostname", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, PASS, 1000 - 320, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    call_wsse(addr, USER, PASS, 1000 + 320, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
}

#[tokio::test]
async fn the_device_clock_offset_is_visible_in_get_system_date_and_time() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.clock_offset(-7200)).await;
    let resp = call(dev.addr(), "GetSystemDateAndTime", "").await;
    resp.assert_ok();
    let t = resp.texts("Hour");
    let (y, mo, d) = (resp.texts("Year"), resp.texts("Month"), resp.texts("Day"));
    let (mi, s) = (resp.texts("Minute"), resp.texts("Second"));
    // The first DateTime is UTCDateTime.
    let utc = chrono::NaiveDate::from_ymd_opt(
        y[0].parse().unwrap(),
        mo[0].parse().unwrap(),
        d[0].parse().unwrap(),
    )
    .unwrap()
    .and_hms_opt(
        t[0].parse().unwrap(),
        mi[0].parse().unwrap(),
        s[0].parse().unwrap(),
    )
    .unwrap()
    .and_utc();
    let offset = (utc - chrono::Utc::now()).num_seconds();
    assert!((offset + 7200).abs() <= 2, "measured offset {offset}");
    assert_eq!(resp.first("TZ"), "CST-8:00:00");
    // LocalDateTime is eight hours ahead of UTCDateTime for CST-8.
    let local_hour: u32 = t[1].parse().unwrap();
    assert_eq!(local_hour, (t[0].parse::<u32>().unwrap() + 8) % 24);
}

#[tokio::test]
async fn both_mode_requires_digest_and_username_token() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.auth(AuthMode::Both)).await;
    let addr = dev.addr();
    assert_eq!(
        call_wsse(addr, USER, PASS, 0, "GetHostname", "")
            .await
            .status,
        401
    );
    // Digest alone: past HTTP, refused at the SOAP layer.
    call_digest(addr, USER, PASS, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    let ch = parse_challenge(
        call(addr, "GetHostname", "")
            .await
            .headers_named("WWW-Authenticate")[0],
    );
    let auth = authorization(&ch, USER, PASS, DEVICE_PATH, 1);
    post(
        addr,
        &wsse_now(USER, PASS, 0),
        &tds("GetHostname", ""),
        &[("Authorization", auth)],
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn any_mode_takes_either_credential() {
    let dev = start("axis-p3265-lve", |c| c).await;
    let addr = dev.addr();
    assert_eq!(call(addr, "GetHostname", "").await.status, 401);
    call_digest(addr, USER, PASS, "GetHostname", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, PASS, 0, "GetHostname", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, "bad", 0, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
}

#[tokio::test]
async fn none_mode_asks_for_nothing() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.auth(AuthMode::None)).await;
    call(dev.addr(), "GetUsers", "").await.assert_ok();
    call(dev.addr(), "SetHostname", "<d:Name>cam-1</d:Name>")
        .await
        .assert_ok();
}

#[tokio::test]
async fn pre_auth_operations_need_no_credentials() {
    let dev = start("hikvision-ds2cd2143g2", |c| c).await;
    let addr = dev.addr();
    for (op, inner) in [
        ("GetSystemDateAndTime", ""),
        (
            "GetServices",
            "<d:IncludeCapability>false</d:IncludeCapability>",
        ),
        ("GetServiceCapabilities", ""),
        ("GetWsdlUrl", ""),
    ] {
        call(addr, op, inner).await.assert_ok();
    }
    assert_eq!(call(addr, "GetScopes", "").await.status, 401);
}

#[tokio::test]
async fn axis_refuses_a_bad_token_even_on_get_system_date_and_time() {
    // Quirk from captures/axis/Fault-onvifgo-unknownaxis-notauthorized-getsystemdateandtime.xml.
    let dev = start("axis-p3265-lve", |c| c).await;
    call_wsse(dev.addr(), USER, "wrong", 0, "GetSystemDateAndTime", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    call(dev.addr(), "GetSystemDateAndTime", "")
        .await
        .assert_ok();
    // Hikvision does not do that.
    let hik = start("hikvision-ds2cd2143g2", |c| c.auth(AuthMode::Wsse)).await;
    call_wsse(hik.addr(), USER, "wrong", 0, "GetSystemDateAndTime", "")
        .await
        .assert_ok();
}

#[tokio::test]
async fn user_levels_limit_what_each_user_may_do() {
    let users = vec![
        UserSpec::admin("boss", "Boss-pass1"),
        "op:Op-pass1:Operator".parse().unwrap(),
        UserSpec {
            name: "viewer".into(),
            password: "View-pass1".into(),
            level: UserLevel::User,
            fixed: false,
        },
    ];
    let dev = start("hikvision-ds2cd2143g2", |c| {
        c.users(users).auth(AuthMode::Wsse)
    })
    .await;
    let addr = dev.addr();
    for user in ["op", "viewer"] {
        let pass = if user == "op" {
            "Op-pass1"
        } else {
            "View-pass1"
        };
        call_wsse(addr, user, pass, 0, "GetDeviceInformation", "")
            .await
            .assert_ok();
        call_wsse(addr, user, pass, 0, "SetHostname", "<d:Name>x</d:Name>")
            .await
            .assert_fault(400, &["Sender", "NotAuthorized"]);
        call_wsse(addr, user, pass, 0, "GetUsers", "")
            .await
            .assert_fault(400, &["Sender", "NotAuthorized"]);
    }
    let users = call_wsse(addr, "boss", "Boss-pass1", 0, "GetUsers", "").await;
    users.assert_ok();
    assert_eq!(users.texts("Username"), ["boss", "op", "viewer"]);
    assert_eq!(
        users.texts("UserLevel"),
        ["Administrator", "Operator", "User"]
    );
    assert!(
        !users.text().contains("pass1"),
        "GetUsers never returns passwords"
    );
    // The persona's admin was replaced by the override.
    call_wsse(addr, USER, PASS, 0, "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
}

#[tokio::test]
async fn a_factory_default_device_needs_no_credentials_until_a_user_exists() {
    let dev = start("hikvision-ds2cd2143g2", |c| c.factory(true)).await;
    let addr = dev.addr();
    let users = call(addr, "GetUsers", "").await;
    users.assert_ok();
    assert!(users.texts("Username").is_empty());
    // Onboarding: create the administrator without credentials...
    let create = "<d:User><t:Username>installer</t:Username><t:Password>Strong-pass1</t:Password><t:UserLevel>Administrator</t:UserLevel></d:User>";
    call(addr, "CreateUsers", create).await.assert_ok();
    // ...after which credentials are required.
    assert_eq!(call(addr, "GetUsers", "").await.status, 401);
    let users = call_digest(addr, "installer", "Strong-pass1", "GetUsers", "").await;
    users.assert_ok();
    assert_eq!(users.texts("Username"), ["installer"]);
    assert_eq!(dev.usernames(), ["installer"]);
}

#[tokio::test]
async fn a_restarted_device_answers_old_nonces_with_a_fresh_challenge() {
    let dev = start("hikvision-ds2cd2143g2", |c| c).await;
    let addr = dev.addr();
    let ch = parse_challenge(
        call(addr, "GetHostname", "")
            .await
            .headers_named("WWW-Authenticate")[0],
    );
    dev.set_fault(mock_devices::InjectedFault::Reboot(
        std::time::Duration::from_millis(200),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let auth = authorization(&ch, USER, PASS, DEVICE_PATH, 1);
    let resp = post(
        addr,
        "",
        &tds("GetHostname", ""),
        &[("Authorization", auth)],
    )
    .await;
    assert_eq!(resp.status, 401, "the nonce died with the reboot");
}
