function main(splash, args)
  splash.images_enabled = false
  splash.resource_timeout = args.wait_max
  if args.user_agent then splash:set_user_agent(args.user_agent) end
  splash:autoload(args.polyfill)
  local pending, quiet, step = 0, 0, 0.05
  splash:on_request(function (request) pending = pending + 1; quiet = 0 end)
  splash:on_response(function (response) pending = pending - 1; quiet = 0 end)
  local ok, reason = splash:go{args.url, headers = args.headers}
  if not ok then
    if string.sub(reason or '', 1, 4) ~= 'http' then
      -- no page at all (DNS, refused, timeout): a 502 that Scrapy retries, then reports
      return {html = '', url = args.url, http_status = 502, error = reason}
    end
  else
    local waited = 0
    while waited < args.wait_max do
      if splash:evaljs(args.ready_js) then break end
      if pending <= 0 and quiet >= args.idle then break end
      splash:wait(step)
      waited = waited + step
      quiet = quiet + step
    end
  end
  local status = 200
  local history = splash:history()
  if #history > 0 then status = history[#history].response.status end
  return {html = splash:html(), url = splash:url(), http_status = status}
end
