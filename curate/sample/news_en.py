"""English news articles for three invented local papers. All text is original to this project."""
from __future__ import annotations

from .article import Article as A

RIVERBEND = (
    A("alder-footbridge-reopens", "local", "Alder River footbridge reopens after eight months of repairs",
      "Hollis Quade", (
        "The pedestrian bridge linking Mill Street to the east bank of the Alder River reopened on Monday morning, "
        "eight months after inspectors closed it because of corroded bolts in the main span. A small crowd of "
        "commuters, dog walkers and two primary school classes crossed it within the first hour.",
        "The repair cost came in at just under the budget the council approved last spring. Engineers replaced "
        "every bolt on the northern truss, added a drainage channel so that rainwater no longer pools on the deck, "
        "and installed a non-slip surface that the old timber boards never had.",
        "During the closure, people on the east bank faced a detour of almost two kilometres to reach the station. "
        "Shop owners on Mill Street said their lunchtime trade fell noticeably. \"We lost the office crowd from across "
        "the water,\" said the owner of a sandwich bar near the bridge. \"I expect they will be back by Friday.\"",
        "## What changes for cyclists",
        "Cycling across the bridge is still not allowed, but the council has painted a new shared lane on the road "
        "bridge two hundred metres downstream. A spokesperson said that a wider crossing for bikes is part of the "
        "transport plan for the next decade, although no money has been set aside yet.",
        "The bridge will be inspected again in twelve months. Residents who notice loose fittings or damage can "
        "report them through the council's street repairs page.",
      ), ("transport", "infrastructure")),
    A("library-weekend-hours", "local", "Central library to open on Sundays after residents ask for longer hours",
      "Priya Norcott", (
        "Riverbend Central Library will open from eleven until four on Sundays starting next month, the first "
        "change to its timetable in more than a decade. The decision follows a survey in which two thirds of the "
        "nine hundred people who answered said that weekday hours clashed with their work.",
        "The extra day will be staffed by moving hours away from Tuesday mornings, which the library describes as "
        "its quietest time. No new staff will be hired. Volunteers from the Friends of the Library group have "
        "offered to run a children's story session at noon each Sunday.",
        "Students were among the loudest voices in the survey. Many wrote that they had nowhere quiet to study at "
        "weekends, particularly in the weeks before exams. The study room on the first floor will therefore be "
        "bookable online for two-hour slots.",
        "The head librarian said the pilot will run for six months before the library decides whether to keep it. "
        "Visitor numbers, loans and the use of the public computers will be counted each Sunday and compared with "
        "the same figures from Saturdays.",
      ), ("libraries", "community")),
    A("bakery-fifty-years", "business", "Family bakery marks fifty years on Orchard Lane",
      "Hollis Quade", (
        "When Agnes Pellow opened a bakery on Orchard Lane in the 1970s, she sold four kinds of bread and closed at "
        "one o'clock every afternoon. Half a century later her grandson runs the shop, which now employs eleven "
        "people and supplies three cafés in town.",
        "To mark the anniversary the bakery is bringing back a rye loaf from its original price list, made from the "
        "handwritten recipe that still hangs framed behind the counter. The family admits that the loaf tastes a "
        "little different today because the local mill that supplied the flour closed years ago.",
        "Energy prices have been the hardest part of the last two years, according to the owner. The ovens run "
        "from three in the morning, and the bakery switched to a smaller, better insulated oven for night batches. "
        "\"We looked at every minute the ovens were hot and nothing was in them,\" he said.",
        "Regular customers are invited to a celebration on Saturday, where the shop will hand out slices of the "
        "anniversary loaf and display photographs of the street from each decade.",
      ), ("small business", "food")),
    A("kingfisher-count", "science", "Volunteer bird count finds more kingfishers along the river",
      "Dora Efferby", (
        "Volunteers who walked the Alder River at dawn on three weekends in April recorded nineteen kingfishers, "
        "up from eleven in last year's count. The survey covers a fourteen-kilometre stretch between the weir and "
        "the estuary and has been repeated every spring since 2009.",
        "Kingfishers need clear water to hunt and steep earth banks to dig their nesting tunnels. The local wildlife "
        "trust believes that two changes helped: a sewage overflow upstream was fixed, and a section of concrete bank "
        "near the old tannery was replaced with soil and willow.",
        "The organisers warned against reading too much into one year. Counts of small birds swing from year to year "
        "with the weather, and a mild winter usually means more survivors. \"A trend needs five or six springs, not "
        "one,\" said the survey coordinator.",
        "Grey wagtails and dippers were also counted, and both numbers stayed roughly flat. Anyone who wants to take "
        "part next year can sign up for a short training walk in March, where volunteers learn to identify birds by "
        "their calls as well as by sight.",
      ), ("wildlife", "environment")),
    A("night-bus-pilot", "local", "Council backs a six-month trial of a late-night bus",
      "Priya Norcott", (
        "A bus linking the town centre with the hospital and the two largest housing estates will run until one in "
        "the morning on Fridays and Saturdays from the autumn, after councillors voted nine to four in favour of a trial.",
        "Supporters argued that hospital staff and hospitality workers finishing late shifts have no safe way home "
        "except taxis, which many cannot afford. Opponents questioned the cost, estimated at about the same as "
        "resurfacing one long residential street.",
        "The route will use a single small bus and follow the existing daytime number 4 route with two extra stops. "
        "Fares will be the same as during the day, and weekly tickets will be valid.",
        "The council will publish passenger numbers each month. If fewer than forty people use the service on an "
        "average night by the end of the trial, the money will go back into the road maintenance budget.",
      ), ("transport", "council")),
    A("under16-regatta", "sports", "Under-16 rowers win the regional regatta for the first time",
      "Marcus Tillbury", (
        "Riverbend Rowing Club's under-16 coxed four won the regional regatta on Sunday, beating crews from six "
        "clubs in a final that was decided by less than a boat length.",
        "The crew trailed for most of the course after a slow start, but their cox called for a push with three "
        "hundred metres to go and the boat drew level with the leaders just before the final bridge.",
        "Their coach, a former club captain who returned to volunteer after retiring from teaching, said the win "
        "came from early mornings on the water through the winter. \"They turned up in the dark and the cold more "
        "often than I did,\" he joked.",
        "The club is now raising money to replace its oldest boat, which was built before any of the rowers were born. "
        "A sponsored row from the weir to the harbour is planned for June.",
      ), ("rowing", "youth sport")),
    A("february-rainfall", "weather", "Wettest February on record puts new flood barriers to the test",
      "Dora Efferby", (
        "More rain fell on Riverbend in February than in any February since records began at the town's weather "
        "station, according to figures released this week. The gauge at the water treatment works measured almost "
        "twice the long-term average for the month.",
        "The demountable flood barriers installed along the quay last year were put up twice. On both occasions the "
        "river rose to within half a metre of the top of the panels, and no homes behind them were flooded.",
        "Homes on the low ground near Tanner's Row were less lucky. The barriers do not extend that far, and six "
        "households reported water in their cellars. The environment agency said that extending the defences is "
        "being studied but would require a separate funding bid.",
        "Forecasters expect a drier March. Residents can sign up for free flood warnings by text message or phone call.",
      ), ("weather", "flooding")),
    A("public-benches-opinion", "opinion", "Opinion: a town you can sit down in",
      "Gwen Hartigan", (
        "Walk from the station to the market square and count the places where you could rest for five minutes "
        "without buying something. I managed three, and one of them was a low wall outside the bank.",
        "Benches sound like a small matter until you are eighty, or pregnant, or carrying a toddler and the shopping. "
        "For many older residents, the distance between benches decides whether a trip into town is possible at all.",
        "The usual objection is that benches attract people the council would rather not see. That says more about "
        "us than about the benches. A seat in the shade is one of the cheapest pieces of public infrastructure there "
        "is, and one of the few that everyone can use.",
        "I would like the council to set a simple rule: nobody should have to walk more than two hundred metres along "
        "a main street without finding somewhere to sit. It would cost less than a single roundabout.",
      ), ("opinion", "public space")),
    A("orchestra-train-shed", "culture", "Community orchestra fills the old train shed",
      "Marcus Tillbury", (
        "Around four hundred people sat on folding chairs in the restored goods shed by the station on Saturday "
        "night to hear the Riverbend Community Orchestra play its spring concert.",
        "The shed, which stood empty for thirty years before a trust repaired the roof, turns out to have generous "
        "acoustics. The conductor said the players had to adjust their dynamics in rehearsal because the brick walls "
        "carried every sound to the back row.",
        "The programme mixed a Dvořák symphony with a new piece by a local secondary school student, written for the "
        "orchestra after she won the trust's composition prize. It was her first time hearing her music played by "
        "more than a handful of friends.",
        "The orchestra rehearses on Wednesday evenings and welcomes new members, particularly violas and bassoons.",
      ), ("music", "arts")),
)

NORTHFIELD = (
    A("grain-coop-solar-dryers", "business", "Grain cooperative invests in solar-assisted dryers",
      "Lena Brightwater", (
        "The Northfield Grain Cooperative will spend part of its reserve fund on solar-assisted dryers for its two "
        "largest storage sites, its members agreed at the annual meeting on Thursday.",
        "Drying freshly harvested grain to a safe moisture level is one of the largest costs for the cooperative. "
        "The new system preheats the air with roof-mounted collectors, so the gas burners run for fewer hours in "
        "early autumn, when days are still long.",
        "Members who farm smaller plots asked whether the savings would reach them. The board said drying fees would "
        "be reviewed after the first full harvest, once the real figures were known rather than the supplier's estimates.",
        "Construction is planned for the summer so the dryers can be tested before the maize harvest.",
      ), ("agriculture", "energy")),
    A("soil-moisture-sensors", "science", "Students map soil moisture with sensors that cost less than a textbook",
      "Owen Castellane", (
        "A team of engineering students at the regional university has built soil moisture sensors from parts that "
        "cost about twenty dollars each and installed sixty of them on farms around the county.",
        "Each sensor measures how quickly an electrical charge drains through the soil, which changes with how much "
        "water is present. A small radio sends a reading every fifteen minutes to a receiver on a grain elevator.",
        "The students spent most of the first year on calibration. Clay and sandy soils give very different readings "
        "for the same amount of water, so the team took hundreds of soil samples by hand and dried them in an oven to "
        "build a correction table for each field.",
        "Farmers taking part get a simple weekly chart. One grower said it helped him skip an irrigation round during "
        "a cool week in July. The team plans to publish the designs so other schools can build their own.",
      ), ("agriculture", "engineering")),
    A("clinic-evening-hours", "health", "Clinic pilots evening appointments for shift workers",
      "Lena Brightwater", (
        "The community health clinic on Fifth Avenue will offer appointments until eight in the evening on Tuesdays "
        "and Thursdays during a three-month pilot that starts next week.",
        "Staff at the meat processing plant and the distribution centre on the highway had told the clinic that they "
        "often waited until a problem became urgent because they could not leave a shift for a daytime appointment.",
        "Evening slots will be available for routine checkups, vaccinations and follow-up visits. Emergencies should "
        "still go to the hospital, the clinic stressed.",
        "Two nurses and one doctor will work the late sessions, with their daytime hours shortened to match.",
      ), ("health care", "labour")),
    A("apprenticeship-track", "education", "High school adds an apprenticeship track with local machine shops",
      "Owen Castellane", (
        "From September, students at Northfield High School will be able to spend two days a week in paid "
        "placements at machine shops and fabrication firms while finishing their diplomas.",
        "The program grew out of a conversation between the school's technology teacher and owners of four small "
        "manufacturers who struggled to find trainees. Several of their experienced machinists are close to retirement.",
        "Students will still take the core courses in English, mathematics and science. Their shop hours count "
        "toward an industry certificate, and the employers have agreed to a starting wage above the state minimum.",
        "Twenty-two students applied for the twelve places in the first year. The school hopes to double the number "
        "of partner firms by next spring.",
      ), ("schools", "jobs")),
    A("broadband-expansion", "technology", "County broadband expansion reaches three thousand homes",
      "Rafael Dunmore", (
        "Fibre internet connections are now available to about three thousand rural homes that previously relied "
        "on satellite links or slow copper lines, county officials said this week.",
        "The project was paid for with a mix of state grants and a loan from the rural electric cooperative, which "
        "strung much of the cable on its existing poles. Crews worked outward from the county seat along the main "
        "roads before branching down gravel lanes.",
        "Residents on the far side of the river will have to wait another year, because crossing it requires a permit "
        "for boring under the riverbed. Officials said the permit application was submitted in March.",
        "Subscribers can choose between two speed tiers. A discounted plan is available for households that qualify "
        "for school meal assistance.",
      ), ("internet", "rural")),
    A("gravel-pit-prairie", "environment", "Former gravel pit turns back into prairie",
      "Rafael Dunmore", (
        "Five years after the last truck left the old gravel pit east of town, the site is covered in native "
        "grasses and wildflowers and is home to at least two pairs of nesting meadowlarks.",
        "The restoration was led by a conservation group that bought the land at auction. Volunteers collected seed "
        "by hand from roadside remnants of prairie, where plants had survived because mowers rarely reached them.",
        "The hardest task was controlling invasive sweet clover, which grows quickly in disturbed soil. Teams pulled "
        "it before it set seed each summer until the native plants were established enough to compete.",
        "A walking trail around the pond at the bottom of the pit opens to the public in May.",
      ), ("conservation", "land use")),
    A("rail-terminal-approved", "transport", "State approves expansion of rail freight terminal",
      "Lena Brightwater", (
        "A plan to add two sidings and a second loading track at the Northfield rail terminal has been approved by "
        "the state transportation board, clearing the way for construction next year.",
        "Supporters say the expansion will take several hundred truck trips a week off the county's two-lane roads. "
        "Most of the terminal's traffic is grain and fertilizer, which are heavy and slow to move by road.",
        "Neighbours along Depot Road raised concerns about noise from trains shunting at night. The operator has "
        "agreed to build an earth berm and to limit coupling work between eleven at night and six in the morning.",
        "The board's decision can be appealed within thirty days.",
      ), ("rail", "freight")),
    A("museum-survey-maps", "history", "Museum digitizes nineteenth-century land survey maps",
      "Owen Castellane", (
        "The county historical museum has finished scanning more than four hundred hand-drawn land survey maps, some "
        "of which had not been unrolled in decades.",
        "Each map was flattened slowly in a humidity chamber before being photographed on a copy stand in sections "
        "and stitched together. The largest sheets are nearly two metres long.",
        "The maps show details that later maps left out, including seasonal wetlands, early trails and the names of "
        "the first settlers on each parcel. Surveyors also made notes in the margins about soil, timber and water.",
        "The images are free to view on the museum's website, and printed copies can be ordered for a small fee.",
      ), ("history", "archives")),
)

COASTAL = (
    A("harbour-dredging-done", "harbour", "Harbour dredging finished; ferries back to full timetable",
      "Isla Penhallow", (
        "Dredging of the harbour channel finished a week ahead of schedule, and the island ferries returned to "
        "their full summer timetable on Wednesday.",
        "Silt carried down by the winter storms had made the channel too shallow for the larger ferry at low tide, "
        "forcing the operator to cancel some sailings and use the smaller boat on others.",
        "About forty thousand cubic metres of sediment were removed. The material was tested for pollutants and then "
        "used to rebuild a section of eroded salt marsh at the mouth of the creek.",
        "The harbour master said the channel will be surveyed again after the autumn gales.",
      ), ("ferries", "harbour")),
    A("lifeboat-kayakers-fog", "harbour", "Lifeboat crew finds two kayakers lost in fog",
      "Tom Varcoe", (
        "Two kayakers who became disoriented in thick fog off Gull Point were brought ashore safely on Sunday "
        "afternoon by the volunteer lifeboat crew.",
        "The pair had set out in clear weather but lost sight of land when a bank of fog rolled in from the sea. "
        "One of them had a phone in a waterproof pouch and called the coastguard, who asked them to stay together "
        "and blow a whistle every minute.",
        "The crew located them within forty minutes by following the sound. Both were cold but unhurt.",
        "The lifeboat station reminded paddlers to carry a means of calling for help, to tell someone ashore about "
        "their plans and to check the forecast for fog, not only for wind.",
      ), ("sea safety",)),
    A("fish-market-prices", "business", "Fish market prices hold steady through storm season",
      "Isla Penhallow", (
        "Prices at the Saturday fish auction stayed close to last year's levels despite a stormy winter that kept "
        "the smaller boats in port for several weeks.",
        "Auctioneers said that fewer landings were balanced by lower demand from restaurants, many of which closed "
        "for part of January. Mackerel and crab sold well, while prices for flatfish dipped slightly.",
        "Fishermen said that fuel costs remain their main worry. Several skippers now share a delivery van to take "
        "catches to the inland markets, instead of making separate trips.",
      ), ("fishing", "markets")),
    A("lighthouse-cottage-museum", "culture", "Lighthouse keeper's cottage opens as a small museum",
      "Tom Varcoe", (
        "The cottage beside the Gull Point lighthouse, home to keepers and their families for more than a century, "
        "opened to visitors this weekend after a two-year restoration.",
        "Rooms have been furnished as they might have looked in the 1930s, with a range stove, a logbook on the "
        "kitchen table and oilskins hanging by the door. A small exhibition upstairs explains how the light worked "
        "before it was automated.",
        "Much of the material came from descendants of former keepers, who lent letters, photographs and a brass "
        "telescope. One family donated a quilt sewn from flour sacks during the war years.",
        "The museum is run by volunteers and opens on weekends from Easter to October.",
      ), ("heritage", "museums")),
    A("beach-cleanup-plastic", "environment", "Beach clean-up collects four hundred kilograms of plastic",
      "Isla Penhallow", (
        "More than a hundred volunteers spent Saturday morning picking litter from the three beaches between the "
        "harbour and Gull Point, collecting about four hundred kilograms of rubbish.",
        "Fishing rope and fragments of crates made up the heaviest share. The organisers sorted a sample of the "
        "smaller pieces and found bottle caps, cotton bud sticks and pellets of raw plastic among them.",
        "The figures will be sent to a national survey that tracks marine litter over time.",
        "The next clean-up is planned for September, after the holiday season.",
      ), ("environment", "volunteering")),
    A("seawall-study", "council", "Town approves study of ageing seawall",
      "Tom Varcoe", (
        "Councillors have approved a study of the seawall along the promenade, parts of which date from the 1890s.",
        "Cracks appeared in two sections after the January storms, and engineers have warned that waves are "
        "washing material out from behind the wall in places.",
        "The study will compare repairing the existing wall, building a new one in front of it, and letting some "
        "lower-value land further east flood naturally. Results are expected next spring.",
      ), ("coast", "council")),
    A("sailing-school-registration", "sport", "Summer sailing school opens registration",
      "Isla Penhallow", (
        "The harbour sailing school has opened registration for its summer courses, which run in week-long blocks "
        "from July to the end of August.",
        "Beginners aged eight and over learn in small dinghies inside the harbour wall, while older teenagers can "
        "take a course that leads to a recognised qualification.",
        "Twenty places in each block are reserved for children from families on low incomes, paid for by a local "
        "charity. Buoyancy aids and wetsuits are provided.",
      ), ("sailing", "youth")),
)

ARTICLES = RIVERBEND + NORTHFIELD + COASTAL
