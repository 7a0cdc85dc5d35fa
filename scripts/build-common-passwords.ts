// Writes server/auth/common-passwords.txt: passwords people choose most often, which sign-up refuses.
// Built here from well-known facts about password choice (the most-used passwords published every year,
// keyboard walks, digit runs, words with a year or "123" appended, Vietnamese favourites), not copied from a leak.
// Only entries of 8+ characters are kept: shorter ones are refused by MIN_PASSWORD_LENGTH anyway.
// Usage: npm run passwords:build
import { writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../server/repoPaths.ts";

const FAMOUS = `123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx
7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley
batman andrew tigger sunshine iloveyou charlie robert thomas hockey ranger daniel starwars klaster 112233 george
computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger
princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin
thunder taylor matrix minecraft william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer
silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111 golfer cookie
richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy maverick phoenix camaro peanut morgan
welcome falcon cowboy ferrari samsung andrea smokey steelers joseph mercedes dakota arsenal eagles melissa boomer
booboo spider nascar monster tigers yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple
hardcore banana junior hannah 123654 porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee
scooby 0000 miller boston q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player
nikita knight fender barney midnight please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit
wizard jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter prince panties marine
ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf crystal 87654321 12344321
golden 8675309 blowme sexy viking alexander 0987654321 password1 password123 passw0rd p@ssw0rd p@ssword admin
administrator admin123 root toor changeme default guest qwerty123 qwerty1 1q2w3e4r5t 1qazxsw2 zaq12wsx 123abc
abcd1234 abcdef abcdefgh aa123456 a123456 a12345678 123456a 123456aa 1234abcd iloveyou1 loveyou lovely
princess1 sunshine1 football1 baseball1 monkey1 shadow1 master1 dragon1 superman1 letmein1 welcome1 welcome123
trustno1 starwars1 pokemon pikachu naruto liverpool chelsea1 barcelona realmadrid manchester juventus
unknown asdfghjkl zxcvbnm1 qwertyui asdfghjk zxcvbnm123 1qaz2wsx3edc qazwsxedc qweasdzxc 147258369 147258
159357 741852963 789456123 789456 456789 963852741 112233445566 11223344 121314 123654789 1234554321 123qweasd
qwe123 qweqwe asdasd zxczxc 1111111111 0000000000 00000000 12121212 123456789a 1234567a 12345678a 12345a
987654321a googledotcom google facebook youtube instagram twitter yahoo hotmail gmail outlook microsoft apple
iphone android linux windows ubuntu oracle mysql postgres postgresql database server security letmein123
helloworld hello123 hello1234 test123 test1234 testing testtest demo demo123 temp temp123 user user123 login
secret123 changeme123 password! password1! passw0rd! qwerty! iloveyou! 1qaz@wsx zaq1@wsx`;

// Vietnamese favourites: "password", "I love you", family words, names, football clubs, places.
const VIETNAMESE = `matkhau matkhau123 anhyeuem emyeuanh yeuem yeuanh anhyeuemnhieu emyeuanhnhieu iloveyouvn
vietnam vietnam123 vietnam1 hanoi saigon hochiminh danang haiphong cantho hue nhatrang vungtau dalat
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly linh trang huong thao mai lan ngoc anh
hoa hung dung minh tuan nam long quang duc thanh hieu phuong thu ha hai son trung khanh huy khoa tien
matkhaumoi khongbiet khongco chanqua buon vui hanhphuc thuongem thuonganh conyeu baby babyiloveyou
giadinh mecon bome concung tinhyeu yeuthuong emoi anhoi hoangtu congchua thienthan ongnoi banoi
hoanganh ngocanh phuonganh tuananh vietanh ducanh quanganh minhanh lananh thuyanh
cuocsong tuoitre sinhvien hocsinh thanhnien bongda manutd chelsea arsenal hagl vietnamvodich`;

const WORDS_FOR_SUFFIXES = `password qwerty iloveyou monkey dragon master shadow sunshine princess football baseball
welcome letmein superman batman michael jessica jennifer charlie daniel thomas robert jordan hunter soccer
matkhau anhyeuem emyeuanh yeuem yeuanh vietnam hanoi saigon admin abc abcd test hello love lovely angel
samsung iphone nokia honda yamaha linh trang huong thao mai lan ngoc anh hoa hung dung minh tuan nam long
quang duc thanh hieu phuong thu ha hai son trung khanh huy khoa tien nguyen tran pham hoang`;

const SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "!", "@", "@123", "#123", "1!", "123!", "01", "99", "88", "69", "2k", "vn", "2024", "2025", "2026", "2000", "1990", "1995", "1999"];

const KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "0987654321", "poiuytrewq", "lkjhgfdsa", "mnbvcxz"];

const words = (text: string) => text.split(/\s+/).filter(Boolean);

function* candidates(): Generator<string> {
  yield* words(FAMOUS);
  yield* words(VIETNAMESE);
  for (const word of [...words(WORDS_FOR_SUFFIXES), ...words(VIETNAMESE)]) {
    for (const suffix of SUFFIXES) {
      yield word + suffix;
      yield word[0]!.toUpperCase() + word.slice(1) + suffix;
    }
  }
  // Runs along a keyboard row, from its start, of every length.
  for (const row of KEYBOARD_ROWS) for (let n = 8; n <= row.length; n++) yield row.slice(0, n);
  // One character repeated; two- and three-character patterns repeated.
  for (const c of "0123456789abcdefghijklmnopqrstuvwxyz") for (let n = 8; n <= 12; n++) yield c.repeat(n);
  for (const unit of ["12", "123", "1234", "abc", "ab", "01", "69", "qwe", "asd", "xo", "hi", "ha", "hihi", "haha", "hehe"]) {
    for (let n = 2; n <= 6; n++) yield unit.repeat(n);
  }
  // Ascending and descending digit runs starting anywhere (e.g. 23456789, 98765432).
  const up = "01234567890123456789";
  const down = "98765432109876543210";
  for (let start = 0; start < 10; start++) for (let n = 8; n <= 10; n++) yield up.slice(start, start + n), yield down.slice(start, start + n);
  // Birthdays are the most common Vietnamese choice: ddmmyyyy for every day, years 1960-2012.
  for (let year = 1960; year <= 2012; year++) {
    for (let month = 1; month <= 12; month++) {
      const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (let day = 1; day <= days; day += year % 5 === 0 ? 1 : 31) {
        yield `${String(day).padStart(2, "0")}${String(month).padStart(2, "0")}${year}`;
      }
    }
  }
}

const list = [...new Set([...candidates()].map((p) => p.toLowerCase()).filter((p) => p.length >= 8))].sort();
const target = path.join(REPO_ROOT, "server", "auth", "common-passwords.txt");
writeFileSync(target, `${list.join("\n")}\n`);
console.log(`${list.length} passwords written to ${path.relative(process.cwd(), target)}`);
